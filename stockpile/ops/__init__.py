"""Operations: the scheduler and its leases, migrations, backup and restore, demo data."""
