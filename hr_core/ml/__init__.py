"""Machine learning for recruiting: pair features, the match model, recommendations and drift."""
