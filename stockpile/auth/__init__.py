"""Users, roles, sign-in, personal API tokens and the role guard."""
