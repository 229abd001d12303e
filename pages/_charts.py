"""Chart conventions shared by the pages: one qualitative palette, small groups folded into "Other",
stacks that really stack with their totals, bar axes from zero, readable time ticks."""

from __future__ import annotations

from typing import Any

import pandas as pd

# Paul Tol's "muted" + "bright" qualitative colours: 12 hues told apart also by colour-blind readers.
PALETTE: tuple[str, ...] = (
    "#332288",
    "#88CCEE",
    "#44AA99",
    "#117733",
    "#999933",
    "#DDCC77",
    "#CC6677",
    "#882255",
    "#AA4499",
    "#EE7733",
    "#0077BB",
    "#EE3377",
)
OTHER_COLOUR = "#BBBBBB"
MAX_SERIES = len(PALETTE)


def fold_small_groups(
    df: pd.DataFrame, *, group: str, value: str, other: str, keep: int = MAX_SERIES - 1
) -> pd.DataFrame:
    """Keep the `keep` largest groups by total value and sum the rest into one `other` group."""
    totals = df.groupby(group, sort=False)[value].sum().sort_values(ascending=False)
    if len(totals) <= keep + 1:
        return df
    small = set(totals.index[keep:])
    folded = df.assign(**{group: df[group].where(~df[group].isin(small), other)})
    keys = [c for c in folded.columns if c not in (value,)]
    return folded.groupby(keys, sort=False, as_index=False)[value].sum()


def colour_map(names: list[str], *, other: str | None = None) -> dict[str, str]:
    """A stable colour for each series name (in the order given); `other` is grey."""
    colours = {}
    for i, name in enumerate(n for n in names if n != other):
        colours[name] = PALETTE[i % len(PALETTE)]
    if other is not None:
        colours[other] = OTHER_COLOUR
    return colours


def stacked_bars(
    df: pd.DataFrame,
    *,
    x: str,
    y: str,
    colour: str,
    title: str,
    x_title: str | None,
    y_title: str,
    other: str,
    colour_title: str = "",
    category_orders: dict[str, list[Any]] | None = None,
    horizontal: bool = False,
) -> Any:
    """A truly stacked bar chart with the stack total on top of each bar and at most 12 colours."""
    import plotly.express as px
    import plotly.graph_objects as go

    data = fold_small_groups(df, group=colour, value=y if not horizontal else x, other=other)
    value = x if horizontal else y
    order = data.groupby(colour, sort=False)[value].sum().sort_values(ascending=False).index.tolist()
    if other in order:
        order = [o for o in order if o != other] + [other]
    fig = px.bar(
        data,
        x=x,
        y=y,
        color=colour,
        orientation="h" if horizontal else "v",
        title=title,
        color_discrete_map=colour_map(order, other=other),
        category_orders={colour: order, **(category_orders or {})},
    )
    fig.update_layout(
        barmode="stack", legend_title_text=colour_title, xaxis_title=x_title, yaxis_title=y_title
    )
    key = y if horizontal else x
    totals = data.groupby(key, sort=False)[value].sum().reset_index()
    totals_trace = go.Scatter(
        x=totals[value] if horizontal else totals[key],
        y=totals[key] if horizontal else totals[value],
        text=[f"{int(v):,}" for v in totals[value]],
        mode="text",
        textposition="middle right" if horizontal else "top center",
        showlegend=False,
        hoverinfo="skip",
        name="total",
    )
    fig.add_trace(totals_trace)
    zero_based(fig, horizontal=horizontal, headroom=float(totals[value].max() or 0))
    return fig


def zero_based(fig: Any, *, horizontal: bool = False, headroom: float | None = None) -> Any:
    """Start the value axis at zero (bars compare lengths), with room for labels above the tallest."""
    axis = fig.update_xaxes if horizontal else fig.update_yaxes
    if headroom:
        axis(range=[0, headroom * 1.12], rangemode="tozero")
    else:
        axis(rangemode="tozero")
    return fig


def month_axis(fig: Any) -> Any:
    """Monthly time axes: one tick per month or quarter, written as 'Jan 2021', never with seconds."""
    fig.update_xaxes(tickformat="%b %Y", dtick="M3", ticklabelmode="period")
    return fig
