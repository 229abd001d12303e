"""The match model's card on a page: a summary in plain words for everyone who may see the model, then
the details (metrics, baselines, calibration, data, features, hashes) for roles that may retrain it."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from hr_core.access import Action, Actor, may
from hr_core.i18n import format_date, format_number, format_percent, label
from hr_core.ml.match import ModelCard, summarise_model_card
from pages._shared import _, current_locale

# Who sees the details: the roles that may retrain the model (the admin-level ML action).
DETAILS_ACTION = Action.MODEL_TRAIN


def _trained_on(card: ModelCard) -> str:
    try:
        moment = pd.Timestamp(card.trained_at).to_pydatetime()
    except ValueError:
        return card.trained_at
    return format_date(moment, current_locale())


def show_model_summary(card: ModelCard) -> None:
    """What the score is, how good it is, what it never uses, and who decides — in plain words."""
    locale = current_locale()
    summary = summarise_model_card(card)
    st.markdown(_("**What the match score is**"))
    text = _(
        "The probability that a candidate is approved or hired for an opening, learnt from {decided} past "
        "decisions (model trained on {date})."
    ).format(decided=format_number(summary.decided, locale), date=_trained_on(card))
    if summary.base_rate is not None:
        text += " " + _(
            "Compare it with the base rate: {rate} of those past applications were approved."
        ).format(rate=format_percent(summary.base_rate, locale))
    st.write(text)
    st.markdown(_("**How good it is**"))
    lines = [
        _(
            "On openings it never saw in training, it ranks a good match above a poor one about {n} times "
            "in 10 (5 in 10 would be guessing)."
        ).format(n=summary.ranks_right_in_10)
    ]
    calibration = {
        "well": _(
            "Its probabilities are well calibrated: when it says 30%, about 3 in 10 such candidates were approved."
        ),
        "roughly": _("Its probabilities are roughly calibrated: read them as a guide, not an exact chance."),
        "poorly": _(
            "Its probabilities are not well calibrated: use the score to rank candidates, not as an exact chance."
        ),
    }
    if summary.calibration in calibration:
        lines.append(calibration[summary.calibration])
    st.write(" ".join(lines))
    st.markdown(_("**What it never uses**"))
    never = ", ".join(label(name, _) for name in summary.protected_attributes)
    st.write(
        _(
            "{attributes}. These are kept only to check that the model treats every group fairly; words that "
            "state them are blanked from CVs before the model reads them."
        ).format(attributes=never or "—")
    )
    st.info(
        _(
            "The score is advice. A recruiter reviews each candidate and decides; nothing is decided "
            "automatically."
        ),
        icon=":material/person_check:",
    )


def show_model_details(card: ModelCard, *, key: str) -> None:
    """Metrics, baselines, calibration, training data, features and hashes, for administrators."""
    locale = current_locale()
    metrics, data = card.metrics, card.data
    k1, k2, k3, k4 = st.columns(4)
    k1.metric(_("ROC AUC (held-out openings)"), format_number(metrics.roc_auc, locale, digits=3), border=True)
    k2.metric(_("PR AUC"), format_number(metrics.pr_auc, locale, digits=3), border=True)
    k3.metric(_("Brier score"), format_number(metrics.brier, locale, digits=3), border=True)
    ece = card.calibration_error
    k4.metric(
        _("Calibration error (ECE)"),
        format_number(ece, locale, digits=3) if ece is not None else "—",
        border=True,
    )
    st.caption(
        _("Estimator and calibration: {estimator} · split: {split} · operating threshold {threshold}").format(
            estimator=card.estimator,
            split=card.split,
            threshold=format_number(card.operating_threshold, locale, digits=3),
        )
    )
    if card.choice is not None:
        st.markdown(_("**Models compared on the same held-out openings** (the lower log-loss is kept)"))
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        _("Model"): name,
                        _("Kept"): "✓" if name == card.choice.kept else "",
                        "ROC AUC": m.roc_auc,
                        "PR AUC": m.pr_auc,
                        "Brier": m.brier,
                        _("Log-loss"): m.log_loss,
                        "ECE": m.ece,
                    }
                    for name, m in card.choice.candidates.items()
                ]
            ),
            hide_index=True,
            key=f"{key}_choice",
            column_config={
                c: st.column_config.NumberColumn(c, format="%.3f")
                for c in ("ROC AUC", "PR AUC", "Brier", _("Log-loss"), "ECE")
            },
        )
    st.markdown(_("**Training data**"))
    st.dataframe(
        pd.DataFrame(
            {
                _("Figure"): [
                    _("Decided pairs"),
                    _("Training pairs"),
                    _("Test pairs"),
                    _("Openings"),
                    _("Candidates"),
                    _("Approved"),
                    _("Rejected"),
                    _("Labels from decided prospects"),
                    _("Labels from recruiter feedback"),
                ],
                _("Count"): [
                    data.pairs,
                    data.n_train,
                    data.n_test,
                    data.openings,
                    data.candidates,
                    data.approved,
                    data.rejected,
                    data.from_prospects,
                    data.from_feedback,
                ],
            }
        ),
        hide_index=True,
        key=f"{key}_data",
    )
    if card.baselines:
        baseline_names = {
            "prior": _("Base rate for everyone (prior)"),
            "skills_overlap_only": _("Skills in common only"),
        }
        rows = [(_("This model"), metrics)] + [
            (baseline_names.get(k, k), v) for k, v in card.baselines.items()
        ]
        st.markdown(_("**Compared with simple baselines** (same held-out openings)"))
        st.dataframe(
            pd.DataFrame(
                [
                    {_("Model"): name, "ROC AUC": m.roc_auc, "PR AUC": m.pr_auc, _("Brier score"): m.brier}
                    for name, m in rows
                ]
            ),
            hide_index=True,
            key=f"{key}_baselines",
        )
    if card.calibration:
        bins = pd.DataFrame([vars(b) for b in card.calibration])
        fig = go.Figure()
        fig.add_scatter(
            x=[0, 1], y=[0, 1], mode="lines", name=_("perfect"), line={"dash": "dot", "color": "gray"}
        )
        fig.add_scatter(
            x=bins["mean_predicted"],
            y=bins["observed_rate"],
            mode="lines+markers",
            name=_("model"),
            text=bins["count"],
        )
        fig.update_layout(
            title=_("Calibration: predicted vs observed approval rate"),
            xaxis_title=_("Mean predicted probability"),
            yaxis_title=_("Observed approval rate"),
            height=320,
        )
        fig.update_xaxes(range=[0, 1])
        fig.update_yaxes(range=[0, 1])
        st.plotly_chart(fig, width="stretch", key=f"{key}_calibration")
    st.markdown(_("**Features**"))
    st.write(", ".join((*card.categorical_features, *card.numeric_features)))
    st.markdown(_("**Never read by a feature**"))
    st.write(", ".join((*card.protected_attributes, *card.eligibility_filters)))
    st.markdown(_("**Files and hashes**"))
    st.code(
        "\n".join(
            [
                f"model SHA-256      {card.sha256}",
                f"reference SHA-256  {card.reference_sha256 or '—'}",
                f"reference rows     {card.reference_rows if card.reference_rows is not None else '—'}",
                *(f"{name:<18} {version}" for name, version in card.library_versions.items()),
            ]
        ),
        language=None,
    )
    with st.expander(_("Full model card (JSON)")):
        st.json(card.as_dict())


def show_model_card(card: ModelCard, actor: Actor, *, key: str) -> None:
    """The summary for everyone; the details section only for roles that may retrain the model."""
    show_model_summary(card)
    if may(actor.role, DETAILS_ACTION):
        st.subheader(_("Details for administrators"))
        show_model_details(card, key=key)
