"""SecureCart event-driven labs: courseware package (helpers live in :mod:`labs.helpers`)."""
