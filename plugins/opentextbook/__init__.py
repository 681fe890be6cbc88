"""opentextbook: build an open textbook chapter with data tables and classroom activities.

The package has three layers (see ARCHITECTURE.md):

* a core that never imports ``mkdocs`` (data, metadata, activities, worksheets, templates);
* page syntax as Python-Markdown extensions under :mod:`opentextbook.markdown`;
* a thin MkDocs adapter in :mod:`opentextbook.mkdocs.plugin`.
"""

from __future__ import annotations

__version__ = "0.1.0"
