"""Inventory: PPE lots, the append-only stock ledger, balances per lot and warehouse, FEFO picking."""
