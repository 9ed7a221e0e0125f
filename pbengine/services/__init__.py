"""Business rules. Services take plain arguments, know nothing of HTTP, raise DomainError."""
