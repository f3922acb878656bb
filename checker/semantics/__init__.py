"""What the Tenant means: the licence plan, who is in which group and role, and what one
Conditional Access policy's conditions and grant say in words (DESIGN section 1)."""
