"""`make bench`: performance figures, each paired with a baseline measured in the same run.

Run against PostgreSQL and Redis (DATABASE_URL, REDIS_URL). Never part of `make test`.
"""
