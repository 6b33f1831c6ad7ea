"""ISO 20022 for payments: pacs.008 and pain.001 credit transfers submitted as payments
(docs/iso20022.md)."""
