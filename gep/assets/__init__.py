"""Ecological asset accounts: physical stocks and flows by cause, monetary values (SEEA EA ch. 4, 10)."""
