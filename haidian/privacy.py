"""Personal data on pages and in files: what a reader who may not see it gets instead."""


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678; seven characters or fewer are starred whole (else nothing is hidden)."""
    if len(phone) <= 7:
        return "*" * len(phone)
    return f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"
