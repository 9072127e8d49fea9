"""The Figure class every picture is drawn on: shown exactly once in Jupyter.

Pictures are pyplot figures, so a cell that draws one without returning it (``if ...:
viz.sequence(df)``) still shows it, the way students expect from matplotlib. But a pyplot figure
that is also the cell's value is shown twice (once as the value, once by the inline backend at
the end of the cell). ``LabFigure`` displays itself as a PNG and then leaves pyplot, so whichever
comes first shows it and the other finds nothing to do. Outside Jupyter nothing changes.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.figure import Figure


class LabFigure(Figure):
    """A matplotlib Figure that Jupyter displays once, whether returned, drawn in a block, or both."""

    def _ipython_display_(self) -> None:
        from IPython.core.pylabtools import print_figure
        from IPython.display import display

        png = print_figure(self, fmt="png", bbox_inches="tight", base64=True)
        title = next((t for ax in self.axes for t in (ax.get_title(loc="left"), ax.get_title()) if t), "")
        label = title.splitlines()[0] if title else "figure"
        display({"image/png": png, "text/plain": f"<{label}>"}, raw=True)
        plt.close(self)  # out of pyplot: the inline backend's end-of-cell show skips it


def subplots(*args: object, **kwargs: object) -> tuple[LabFigure, object]:
    """``plt.subplots`` drawing on a :class:`LabFigure`."""
    return plt.subplots(*args, FigureClass=LabFigure, **kwargs)  # type: ignore[arg-type,return-value]
