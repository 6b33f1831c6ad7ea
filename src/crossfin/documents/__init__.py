"""The document registry: kinds, source batches, versions, access, and the one balance.

Importing it registers its reaction to new organizations (documents that arrived before
their owner onboarded are linked to it), so parties never calls into documents.
"""

from crossfin.documents.versions import link_owner_documents
from crossfin.parties.hooks import on_organization_added

on_organization_added(link_owner_documents)
