"""Judging items (研判): monitoring schemes today; sentiment, category, reach and heat to come."""
