from tests.collect.conftest import fetcher, site  # noqa: F401  (the corpus uses the collector's)
