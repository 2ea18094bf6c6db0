"""RagArt Desktop: an offline studio that creates with references from the artist's own library.

Importing the package switches every Hugging Face library into offline mode *before* any of them
is imported, so no code path in the product can reach a model hub.
"""
from ragart_desktop.core.offline import enforce_offline

__version__ = "0.1.0"

enforce_offline()
