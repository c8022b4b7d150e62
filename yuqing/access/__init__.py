"""Accounts and access: departments, users, roles, permissions, sessions, API tokens."""
