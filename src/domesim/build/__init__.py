"""build layer of domesim: scenario file schema, data catalogue, fielded architecture, world builder."""
