"""Support every output shares: reproducible dates and archives, PDF worker processes, slim
embedded fonts, stylesheets and fonts parsed once per process, and building the site beside
the previous one so that a failed build leaves it as it was."""
