"""OpenAttestation v2 (TradeTrust) wrapped documents: parsed, verified offline, imported.

`document.parse` reads and checks the shape, `verify.verify` recomputes the target hash
and folds the Merkle proof, `invoice.paper_fields` maps a TradeTrust invoice to the key
fields of a private fingerprint, and `importing` holds the use cases every entry point
calls. Pure: no web framework, no network.
"""
