"""Regional requests: the approval workflow, ring-fenced allocations, rationing, picking and delivery."""
