"""Prints infra/template.yaml as CloudFormation will deploy it: SAM's own transform
(aws-sam-translator), offline. The template uses only long-form intrinsics (`{ Ref: X }`),
which plain YAML reads. tests/template.rs checks the IAM policies SAM generates from it.
Usage: sam-transform.py <template.yaml>"""

import json
import os
import sys

import yaml
from samtranslator.translator.transform import transform


class NoManagedPolicies:
    """The template names no managed policy by name, so nothing has to be looked up in IAM."""

    def load(self):
        return {}


# The transform asks for a region (for ARNs' partition) and looks up nothing else.
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
with open(sys.argv[1]) as f:
    template = yaml.safe_load(f)
# As `sam package` leaves it: each function's code uploaded to S3 (the bucket does not matter here).
for logical_id, resource in template["Resources"].items():
    if resource["Type"] == "AWS::Serverless::Function":
        resource["Properties"]["CodeUri"] = f"s3://packaged/{logical_id}.zip"
json.dump(transform(template, {}, NoManagedPolicies()), sys.stdout, default=str)
