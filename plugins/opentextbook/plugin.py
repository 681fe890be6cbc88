"""The MkDocs adapter: wires MkDocs events to the core, and does nothing else.

Model: mkdocs-material's tags plugin — each hook is a few lines handing off to a named
collaborator in the core. Anything that could run without MkDocs belongs in the core.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as opt
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files

from opentextbook.errors import SourceError
from opentextbook.metadata import BookMetadata, load_metadata

log = get_plugin_logger(__name__)

PACKAGE_DIR = Path(__file__).parent
ASSET_PREFIX = "assets/opentextbook"


class OpenTextbookConfig(base.Config):
    """Options of the ``opentextbook`` plugin in ``mkdocs.yml``."""

    metadata = opt.Type(str, default="data/book.yml")
    """Book metadata file (title, authors, licence, source work), relative to mkdocs.yml."""

    data_dir = opt.Type(str, default="data")
    """Folder of the book's YAML data sets, relative to mkdocs.yml."""


class OpenTextbookPlugin(BasePlugin[OpenTextbookConfig]):
    """Builds the book: metadata, theme additions, and the outputs of the core."""

    def __init__(self) -> None:
        self.metadata: BookMetadata | None = None
        self.root = Path.cwd()

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.root = Path(config.config_file_path).parent
        self.metadata = _or_plugin_error(load_metadata, self.root / self.config.metadata)
        config.extra["book"] = self.metadata.as_dict()
        _add_theme_dir(config, PACKAGE_DIR / "theme")
        config.extra_css.append(f"{ASSET_PREFIX}/book.css")
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        _add_package_asset(files, config, "css/book.css", f"{ASSET_PREFIX}/book.css")
        return files

    def on_serve(self, server, *, config: MkDocsConfig, builder):
        server.watch(str(self.root / self.config.data_dir))
        return server


def _or_plugin_error(load, *args):
    """Call a core loader; a ``SourceError`` stops the build with its one-line message."""
    try:
        return load(*args)
    except SourceError as exc:
        raise PluginError(str(exc)) from None


def _add_theme_dir(config: MkDocsConfig, path: Path) -> None:
    """Our template overrides sit after the user's ``custom_dir``, before the theme's own."""
    position = 1 if config.theme.custom_dir else 0
    config.theme.dirs.insert(position, str(path))


def _add_package_asset(files: Files, config: MkDocsConfig, source: str, dest: str) -> None:
    files.append(File.generated(config, dest, abs_src_path=str(PACKAGE_DIR / "assets" / source)))
