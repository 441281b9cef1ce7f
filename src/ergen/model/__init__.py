"""Typed, vendor-neutral models: the Azure side (circuit) and the on-premises side (inventory)."""
