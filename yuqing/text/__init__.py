"""Text normalisation for Chinese: width folding, traditional→simplified, URLs and times."""
