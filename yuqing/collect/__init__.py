"""Collection: sources, the item schema, intake (file import and push) and stored items."""
