"""Council Archive: a searchable web archive of UN Security Council statements."""
