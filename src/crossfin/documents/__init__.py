"""The document registry: kinds, source batches, versions, access, and the one balance.

Its reaction to new organizations (documents that arrived before their owner onboarded are
linked to it) is registered by `crossfin.assembly.assemble()`, so parties never calls into
documents by name.
"""
