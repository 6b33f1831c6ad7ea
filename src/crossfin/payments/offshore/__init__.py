"""P4, the offshore trade background check (离岸转手买卖真实性审核): docs/payments.md, "P4"."""
