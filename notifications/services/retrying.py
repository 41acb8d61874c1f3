from datetime import timedelta


def backoff(attempt: int) -> timedelta:
    """How long to wait after failed attempt number `attempt` (1, 2, ...): 1, 4, 16, 64, 256
    minutes, and so on."""
    return timedelta(minutes=4 ** (max(attempt, 1) - 1))
