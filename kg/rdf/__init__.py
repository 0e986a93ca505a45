"""RDF side: namespaces, record -> triples mapping, the Oxigraph store, serialisation."""
