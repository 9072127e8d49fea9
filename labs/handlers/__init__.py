"""Lambda handlers the labs deploy. Each module is self-contained (standard library and boto3 only)
so that ``labs.helpers.functions.package_handler("labs.handlers.<name>")`` zips exactly one file that
runs unchanged on the embedded emulator, a moto server or real AWS Lambda."""
