"""No import cycles inside snapsite (issue 10): the layer contracts (`lint-imports`) order the packages, this
orders the modules, so that two modules of one package (once `incremental` and `output`) cannot lean on each other.

The graph is import-linter's own (grimp), imports under `if TYPE_CHECKING:` left out since they never run.
"""

from __future__ import annotations

from graphlib import CycleError, TopologicalSorter

import grimp


def test_no_module_of_snapsite_imports_itself_through_others() -> None:
    graph = grimp.build_graph("snapsite", exclude_type_checking_imports=True)
    assert len(graph.modules) > 80  # the whole package was read (95 modules at the time of writing)
    order = TopologicalSorter({module: graph.find_modules_directly_imported_by(module) for module in graph.modules})
    try:
        order.prepare()
    except CycleError as cycle:
        raise AssertionError(f"import cycle: {' -> '.join(cycle.args[1])}") from None
