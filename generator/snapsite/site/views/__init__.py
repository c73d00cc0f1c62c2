"""View objects: everything the templates show, computed from records, with no HTML."""
