"""JSON schemas for GeoReport v2 answers, written from the specification
(open311.org GeoReport_v2: "GET Service List", "GET Service Definition", "POST Service Request",
"GET Service Requests", errors, and the Service Discovery page). No official JSON schema is
published; these follow the response field tables, with `required` where the spec says a field
is returned and enums where it lists the strict values."""

W3_DATETIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$"
NULLABLE_STRING = {"type": ["string", "null"]}

ERRORS = {
    "type": "array", "minItems": 1,
    "items": {"type": "object", "required": ["code", "description"], "additionalProperties": False,
              "properties": {"code": {"type": "integer"}, "description": {"type": "string"}}},
}

DISCOVERY = {
    "type": "object", "required": ["changeset", "contact", "key_service", "endpoints"],
    "properties": {
        "changeset": {"type": "string", "pattern": W3_DATETIME},
        "contact": {"type": "string"}, "key_service": {"type": "string"},
        "endpoints": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["specification", "url", "changeset", "type", "formats"],
            "properties": {
                "specification": {"const": "http://wiki.open311.org/GeoReport_v2"},
                "url": {"type": "string", "format": "uri"},
                "changeset": {"type": "string", "pattern": W3_DATETIME},
                "type": {"enum": ["production", "test"]},
                "formats": {"type": "array", "items": {"enum": ["text/xml", "application/json"]}},
            }}},
    },
}

SERVICE_LIST = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["service_code", "service_name", "description", "metadata", "type", "keywords",
                     "group"],
        "properties": {
            "service_code": {"type": "string", "minLength": 1},
            "service_name": {"type": "string", "minLength": 1},
            "description": NULLABLE_STRING,
            "metadata": {"type": "boolean"},
            "type": {"enum": ["realtime", "batch", "blackbox"]},
            "keywords": NULLABLE_STRING,
            "group": NULLABLE_STRING,
        },
    },
}

SERVICE_DEFINITION = {
    "type": "object", "required": ["service_code", "attributes"],
    "properties": {
        "service_code": {"type": "string"},
        "attributes": {"type": "array", "items": {
            "type": "object",
            "required": ["variable", "code", "datatype", "required", "datatype_description", "order",
                         "description"],
            "properties": {
                "variable": {"type": "boolean"},
                "code": {"type": "string", "minLength": 1},
                "datatype": {"enum": ["string", "number", "datetime", "text", "singlevaluelist",
                                      "multivaluelist"]},
                "required": {"type": "boolean"},
                "datatype_description": NULLABLE_STRING,
                "order": {"type": "integer", "minimum": 1},
                "description": {"type": "string"},
                "values": {"type": "array", "items": {
                    "type": "object", "required": ["key", "name"],
                    "properties": {"key": {"type": ["string", "number"]}, "name": {"type": "string"}}}},
            }}},
    },
}

POST_RESPONSE = {
    "type": "array", "minItems": 1, "maxItems": 1,
    "items": {"type": "object", "required": ["service_request_id"],
              "not": {"required": ["token"]},  # "should not be returned if service_request_id is"
              "properties": {"service_request_id": {"type": ["string", "integer"]},
                             "service_notice": NULLABLE_STRING, "account_id": NULLABLE_STRING}},
}

SERVICE_REQUESTS = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["service_request_id", "status", "service_name", "service_code",
                     "requested_datetime", "updated_datetime"],
        "properties": {
            "service_request_id": {"type": ["string", "integer"]},
            "status": {"enum": ["open", "closed"]},
            "status_notes": NULLABLE_STRING,
            "service_name": {"type": "string"},
            "service_code": {"type": "string"},
            "description": {"type": ["string", "null"], "maxLength": 4000},
            "agency_responsible": NULLABLE_STRING,
            "service_notice": NULLABLE_STRING,
            "requested_datetime": {"type": "string", "pattern": W3_DATETIME},
            "updated_datetime": {"type": "string", "pattern": W3_DATETIME},
            "expected_datetime": {"type": ["string", "null"], "pattern": W3_DATETIME},
            "address": NULLABLE_STRING,
            "address_id": NULLABLE_STRING,
            "zipcode": NULLABLE_STRING,
            "lat": {"type": ["number", "null"], "minimum": -90, "maximum": 90},
            "long": {"type": ["number", "null"], "minimum": -180, "maximum": 180},
            "media_url": NULLABLE_STRING,
        },
    },
}
