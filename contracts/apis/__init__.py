"""HTTP API of the contracts app, by resource. Thin views: validate, call one service or selector, shape."""
