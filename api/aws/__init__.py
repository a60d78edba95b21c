"""AWS SDK compatibility: boto3 and the AWS CLI pointed at voxgate (endpoint_url=http://host:8000/aws).

- `protocol`: the wire protocols (json 1.1, rpc-v2-cbor, rest-json) driven by botocore's service models.
- `sigv4`: signature verification when access keys are configured.
- one adapter per service (`polly`, `translate`, `comprehend`, `comprehendmedical`, `transcribe`, `textract`,
  `lex`): a table operation name -> function(ctx, params) -> result dict, onto the modules' public Python APIs.
- `services`: which adapter serves which botocore service, and which voxgate module it needs mounted.

The HTTP side is `api/routers/aws.py`; Transcribe's job handler is `api/compose/aws.py`.
"""
