"""Reference data: safety regions, essential processes, the PPE catalogue and warehouses."""
