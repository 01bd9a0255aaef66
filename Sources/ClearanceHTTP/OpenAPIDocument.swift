/// The OpenAPI 3.1 description of `/api/v1`, written by hand so it says what clients may rely
/// on; a test checks it against the routes the server registers. `x-roles` on each operation
/// lists the roles allowed (`anyone` needs no account); the role-matrix test holds the server to it.
enum OpenAPIDocument {
    static let json = #"""
    {
      "openapi": "3.1.0",
      "info": {
        "title": "Clearance",
        "version": "1.0.0",
        "description": "GDPR consent for photos and videos. Everything the `clearance` command line does, over HTTP. Send `Authorization: Bearer <token>` (from `clearance user token NAME`) or use the session cookie of the login page; cookie-authenticated calls that change something must also send `X-CSRF-Token`. Unauthenticated calls get 401, a role without the right 403. `x-roles` on each operation lists the roles allowed. Editors and officers never see contact details or dates of birth: those keys are left out of their answers."
      },
      "servers": [
        {
          "url": "/"
        }
      ],
      "paths": {
        "/health": {
          "get": {
            "summary": "Liveness: answers `ok` without an account",
            "x-roles": [
              "anyone"
            ],
            "responses": {
              "200": {
                "description": "OK",
                "content": {
                  "text/plain": {
                    "schema": {
                      "type": "string"
                    }
                  }
                }
              }
            },
            "security": []
          }
        },
        "/api/v1/openapi.json": {
          "get": {
            "summary": "This document",
            "x-roles": [
              "anyone"
            ],
            "responses": {
              "200": {
                "description": "OK",
                "content": {
                  "application/json": {
                    "schema": {
                      "type": "object"
                    }
                  }
                }
              }
            },
            "security": []
          }
        },
        "/api/v1/me": {
          "get": {
            "summary": "The signed-in account",
            "x-roles": [
              "officer",
              "editor",
              "dpo",
              "admin"
            ],
            "responses": {
              "200": {
                "description": "OK",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/User"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthenticated"
              },
              "403": {
                "$ref": "#/components/responses/Forbidden"
              }
            },
            "security": [
              {
                "bearer": []
              },
              {
                "session": []
              }
            ]
          }
        },
        "/api/v1/verify": {
          "get": {
            "summary": "Replay the ledger: hashes, links, signatures (like `clearance verify --json`)",
            "x-roles": [
              "dpo",
              "admin"
            ],
            "responses": {
              "200": {
                "description": "OK",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Verification"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthenticated"
              },
              "403": {
                "$ref": "#/components/responses/Forbidden"
              }
            },
            "security": [
              {
                "bearer": []
              },
              {
                "session": []
              }
            ]
          }
        },
        "/api/v1/users": {
          "get": {
            "summary": "List accounts",
            "x-roles": [
              "admin"
            ],
            "responses": {
              "200": {
                "description": "OK",
                "content": {
                  "application/json": {
                    "schema": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/User"
                      }
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthenticated"
              },
              "403": {
                "$ref": "#/components/responses/Forbidden"
              }
            },
            "security": [
              {
                "bearer": []
              },
              {
                "session": []
              }
            ]
          },
          "post": {
            "summary": "Create an account (like `clearance user add`)",
            "x-roles": [
              "admin"
            ],
            "responses": {
              "201": {
                "description": "Created",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/User"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthenticated"
              },
              "403": {
                "$ref": "#/components/responses/Forbidden"
              },
              "400": {
                "$ref": "#/components/responses/BadInput"
              }
            },
            "requestBody": {
              "required": true,
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "required": [
                      "name",
                      "role"
                    ],
                    "properties": {
                      "name": {
                        "type": "string"
                      },
                      "role": {
                        "enum": [
                          "officer",
                          "editor",
                          "dpo",
                          "admin"
                        ]
                      },
                      "password": {
                        "type": "string",
                        "minLength": 10
                      }
                    }
                  }
                }
              }
            },
            "security": [
              {
                "bearer": []
              },
              {
                "session": []
              }
            ]
          }
        },
        "/api/v1/users/{name}/tokens": {
          "post": {
            "summary": "Issue an API token (shown once)",
            "x-roles": [
              "admin"
            ],
            "responses": {
              "201": {
                "description": "Created",
                "content": {
                  "application/json": {
                    "schema": {
                      "type": "object",
                      "properties": {
                        "token": {
                          "type": "string"
                        }
                      }
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthenticated"
              },
              "403": {
                "$ref": "#/components/responses/Forbidden"
              },
              "400": {
                "$ref": "#/components/responses/BadInput"
              }
            },
            "parameters": [
              {
                "name": "name",
                "in": "path",
                "required": true,
                "description": "Account name",
                "schema": {
                  "type": "string"
                }
              }
            ],
            "security": [
              {
                "bearer": []
              },
              {
                "session": []
              }
            ]
          }
        },
        "/api/v1/people": {
          "get": {
            "summary": "List people, or those with a name or alias (`?name=`)",
            "x-roles": [
              "officer",
              "editor",
              "dpo"
            ],
            "responses": {
              "200": {
                "description": "OK",
                "content": {
                  "application/json": {
                    "schema": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/Person"
                      }
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthenticated"
              },
              "403": {
                "$ref": "#/components/responses/Forbidden"
              },
              "400": {
                "$ref": "#/components/responses/BadInput"
              }
            },
            "parameters": [
              {
                "name": "name",
                "in": "query",
                "required": false,
                "description": "Name or alias; case and accents ignored",
                "schema": {
                  "type": "string"
                }
              }
            ],
            "security": [
              {
                "bearer": []
              },
              {
                "session": []
              }
            ]
          },
          "post": {
            "summary": "Register a person (like `clearance person add`)",
            "x-roles": [
              "officer",
              "dpo"
            ],
            "responses": {
              "201": {
                "description": "Created",
                "content": {
                  "application/json": {
                    "schema": {
                      "type": "object",
                      "properties": {
                        "id": {
                          "type": "string"
                        }
                      }
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthenticated"
              },
              "403": {
                "$ref": "#/components/responses/Forbidden"
              },
              "400": {
                "$ref": "#/components/responses/BadInput"
              }
            },
            "requestBody": {
              "required": true,
              "content": {
                "application/json": {
                  "schema": {
                    "$ref": "#/components/schemas/NewPerson"
                  }
                }
              }
            },
            "security": [
              {
                "bearer": []
              },
              {
                "session": []
              }
            ]
          }
        },
        "/api/v1/people/{id}": {
          "get": {
            "summary": "One person with every consent version",
            "x-roles": [
              "officer",
              "editor",
              "dpo"
            ],
            "responses": {
              "200": {
                "description": "OK",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Person"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthenticated"
              },
              "403": {
                "$ref": "#/components/responses/Forbidden"
              },
              "400": {
                "$ref": "#/components/responses/BadInput"
              },
              "404": {
                "$ref": "#/components/responses/NotFound"
              }
            },
            "parameters": [
              {
                "name": "id",
                "in": "path",
                "required": true,
                "description": "Person id, P-XXXX-XXXX",
                "schema": {
                  "type": "string",
                  "pattern": "^P-[0-9A-Z]{4}-[0-9A-Z]{4}$"
                }
              }
            ],
            "security": [
              {
                "bearer": []
              },
              {
                "session": []
              }
            ]
          }
        },
        "/api/v1/people/{id}/erase": {
          "post": {
            "summary": "Erase a person (Art. 17): personal data and key destroyed, records kept",
            "x-roles": [
              "dpo"
            ],
            "responses": {
              "200": {
                "description": "OK",
                "content": {
                  "application/json": {
                    "schema": {
                      "type": "object",
                      "properties": {
                        "person": {
                          "type": "string"
                        },
                        "consents": {
                          "type": "array",
                          "items": {
                            "type": "string"
                          }
                        },
                        "at": {
                          "type": "string"
                        }
                      }
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthenticated"
              },
              "403": {
                "$ref": "#/components/responses/Forbidden"
              },
              "400": {
                "$ref": "#/components/responses/BadInput"
              },
              "404": {
                "$ref": "#/components/responses/NotFound"
              }
            },
            "parameters": [
              {
                "name": "id",
                "in": "path",
                "required": true,
                "description": "Person id, P-XXXX-XXXX",
                "schema": {
                  "type": "string",
                  "pattern": "^P-[0-9A-Z]{4}-[0-9A-Z]{4}$"
                }
              }
            ],
            "security": [
              {
                "bearer": []
              },
              {
                "session": []
              }
            ]
          }
        },
        "/api/v1/consents": {
          "get": {
            "summary": "Every consent version, or one person's (`?person=`)",
            "x-roles": [
              "dpo"
            ],
            "responses": {
              "200": {
                "description": "OK",
                "content": {
                  "application/json": {
                    "schema": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/Consent"
                      }
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthenticated"
              },
              "403": {
                "$ref": "#/components/responses/Forbidden"
              },
              "400": {
                "$ref": "#/components/responses/BadInput"
              }
            },
            "parameters": [
              {
                "name": "person",
                "in": "query",
                "required": false,
                "description": "Person id or name",
                "schema": {
                  "type": "string"
                }
              }
            ],
            "security": [
              {
                "bearer": []
              },
              {
                "session": []
              }
            ]
          },
          "post": {
            "summary": "Record a consent (like `clearance consent record`); answers the reference and the person's withdrawal link",
            "x-roles": [
              "officer",
              "dpo"
            ],
            "responses": {
              "201": {
                "description": "Created",
                "content": {
                  "application/json": {
                    "schema": {
                      "type": "object",
                      "properties": {
                        "reference": {
                          "type": "string"
                        },
                        "withdrawalURL": {
                          "type": "string"
                        }
                      }
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthenticated"
              },
              "403": {
                "$ref": "#/components/responses/Forbidden"
              },
              "400": {
                "$ref": "#/components/responses/BadInput"
              }
            },
            "requestBody": {
              "required": true,
              "content": {
                "application/json": {
                  "schema": {
                    "$ref": "#/components/schemas/NewConsent"
                  }
                }
              }
            },
            "security": [
              {
                "bearer": []
              },
              {
                "session": []
              }
            ]
          }
        },
        "/api/v1/consents/{reference}": {
          "get": {
            "summary": "One consent version",
            "x-roles": [
              "officer",
              "dpo"
            ],
            "responses": {
              "200": {
                "description": "OK",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Consent"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthenticated"
              },
              "403": {
                "$ref": "#/components/responses/Forbidden"
              },
              "400": {
                "$ref": "#/components/responses/BadInput"
              }
            },
            "parameters": [
              {
                "name": "reference",
                "in": "path",
                "required": true,
                "description": "Consent reference, C-XXXX-XXXX",
                "schema": {
                  "type": "string",
                  "pattern": "^C-[0-9A-Z]{4}-[0-9A-Z]{4}$"
                }
              }
            ],
            "security": [
              {
                "bearer": []
              },
              {
                "session": []
              }
            ]
          }
        },
        "/api/v1/consents/{reference}/withdraw": {
          "post": {
            "summary": "Withdraw a consent (it stays in the ledger, marked withdrawn); answers the consent and what the withdrawal affects: assets showing the person and the takedown items opened",
            "x-roles": [
              "dpo"
            ],
            "responses": {
              "200": {
                "description": "OK",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Withdrawal"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthenticated"
              },
              "403": {
                "$ref": "#/components/responses/Forbidden"
              },
              "400": {
                "$ref": "#/components/responses/BadInput"
              }
            },
            "parameters": [
              {
                "name": "reference",
                "in": "path",
                "required": true,
                "description": "Consent reference, C-XXXX-XXXX",
                "schema": {
                  "type": "string",
                  "pattern": "^C-[0-9A-Z]{4}-[0-9A-Z]{4}$"
                }
              }
            ],
            "requestBody": {
              "required": true,
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "properties": {
                      "receivedVia": {
                        "type": "string"
                      },
                      "note": {
                        "type": "string"
                      }
                    }
                  }
                }
              }
            },
            "security": [
              {
                "bearer": []
              },
              {
                "session": []
              }
            ]
          }
        },
        "/api/v1/consents/{reference}/receipt": {
          "get": {
            "summary": "The printable receipt",
            "x-roles": [
              "officer",
              "dpo"
            ],
            "responses": {
              "200": {
                "description": "OK",
                "content": {
                  "text/html": {
                    "schema": {
                      "type": "string"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthenticated"
              },
              "403": {
                "$ref": "#/components/responses/Forbidden"
              },
              "400": {
                "$ref": "#/components/responses/BadInput"
              }
            },
            "parameters": [
              {
                "name": "reference",
                "in": "path",
                "required": true,
                "description": "Consent reference, C-XXXX-XXXX",
                "schema": {
                  "type": "string",
                  "pattern": "^C-[0-9A-Z]{4}-[0-9A-Z]{4}$"
                }
              }
            ],
            "security": [
              {
                "bearer": []
              },
              {
                "session": []
              }
            ]
          }
        },
        "/api/v1/check": {
          "post": {
            "summary": "Check assets for a channel: one verdict per asset, in order, the objects of `clearance check --json`",
            "x-roles": [
              "editor",
              "dpo"
            ],
            "responses": {
              "200": {
                "description": "OK",
                "content": {
                  "application/json": {
                    "schema": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/Verdict"
                      }
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthenticated"
              },
              "403": {
                "$ref": "#/components/responses/Forbidden"
              },
              "400": {
                "$ref": "#/components/responses/BadInput"
              }
            },
            "requestBody": {
              "required": true,
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "required": [
                      "assets",
                      "channel"
                    ],
                    "properties": {
                      "assets": {
                        "type": "array",
                        "minItems": 1,
                        "maxItems": 1000,
                        "items": {
                          "type": "string",
                          "pattern": "^[0-9a-fA-F]{64}$"
                        }
                      },
                      "channel": {
                        "type": "string"
                      },
                      "at": {
                        "type": "string",
                        "format": "date"
                      }
                    }
                  }
                }
              }
            },
            "security": [
              {
                "bearer": []
              },
              {
                "session": []
              }
            ]
          }
        },
        "/api/v1/assets": {
          "get": {
            "summary": "Every ingested asset",
            "x-roles": [
              "editor",
              "dpo"
            ],
            "responses": {
              "200": {
                "description": "OK",
                "content": {
                  "application/json": {
                    "schema": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/Asset"
                      }
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthenticated"
              },
              "403": {
                "$ref": "#/components/responses/Forbidden"
              }
            },
            "security": [
              {
                "bearer": []
              },
              {
                "session": []
              }
            ]
          },
          "post": {
            "summary": "Upload one photo or video (the body is the file) and ingest it",
            "x-roles": [
              "editor",
              "dpo"
            ],
            "responses": {
              "201": {
                "description": "Ingested (200 when already known)",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Upload"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthenticated"
              },
              "403": {
                "$ref": "#/components/responses/Forbidden"
              },
              "400": {
                "$ref": "#/components/responses/BadInput"
              },
              "413": {
                "$ref": "#/components/responses/BadInput"
              },
              "415": {
                "$ref": "#/components/responses/BadInput"
              }
            },
            "parameters": [
              {
                "name": "filename",
                "in": "query",
                "required": false,
                "description": "The file's name, echoed back; plain names only",
                "schema": {
                  "type": "string"
                }
              }
            ],
            "requestBody": {
              "required": true,
              "content": {
                "image/*": {
                  "schema": {
                    "type": "string",
                    "contentMediaType": "application/octet-stream"
                  }
                },
                "video/*": {
                  "schema": {
                    "type": "string",
                    "contentMediaType": "application/octet-stream"
                  }
                },
                "application/octet-stream": {
                  "schema": {
                    "type": "string",
                    "contentMediaType": "application/octet-stream"
                  }
                }
              }
            },
            "security": [
              {
                "bearer": []
              },
              {
                "session": []
              }
            ]
          }
        },
        "/api/v1/assets/{sha256}": {
          "get": {
            "summary": "One asset: who its metadata names, and its reviews",
            "x-roles": [
              "editor",
              "dpo"
            ],
            "responses": {
              "200": {
                "description": "OK",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Asset"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthenticated"
              },
              "403": {
                "$ref": "#/components/responses/Forbidden"
              },
              "400": {
                "$ref": "#/components/responses/BadInput"
              },
              "404": {
                "$ref": "#/components/responses/NotFound"
              }
            },
            "parameters": [
              {
                "name": "sha256",
                "in": "path",
                "required": true,
                "description": "The asset's SHA-256, 64 hex digits",
                "schema": {
                  "type": "string",
                  "pattern": "^[0-9a-fA-F]{64}$"
                }
              }
            ],
            "security": [
              {
                "bearer": []
              },
              {
                "session": []
              }
            ]
          }
        },
        "/api/v1/assets/{sha256}/tag": {
          "post": {
            "summary": "Record a review of who is shown (like `clearance tag`)",
            "x-roles": [
              "editor",
              "dpo"
            ],
            "responses": {
              "200": {
                "description": "OK",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Asset"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthenticated"
              },
              "403": {
                "$ref": "#/components/responses/Forbidden"
              },
              "400": {
                "$ref": "#/components/responses/BadInput"
              },
              "404": {
                "$ref": "#/components/responses/NotFound"
              }
            },
            "parameters": [
              {
                "name": "sha256",
                "in": "path",
                "required": true,
                "description": "The asset's SHA-256, 64 hex digits",
                "schema": {
                  "type": "string",
                  "pattern": "^[0-9a-fA-F]{64}$"
                }
              }
            ],
            "requestBody": {
              "required": true,
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "properties": {
                      "people": {
                        "type": "array",
                        "items": {
                          "type": "string"
                        }
                      },
                      "notPeople": {
                        "type": "array",
                        "items": {
                          "type": "string"
                        }
                      },
                      "noPeople": {
                        "type": "boolean"
                      },
                      "serviceUsers": {
                        "type": "boolean"
                      }
                    }
                  }
                }
              }
            },
            "security": [
              {
                "bearer": []
              },
              {
                "session": []
              }
            ]
          }
        },
        "/api/v1/export": {
          "post": {
            "summary": "Check the assets now and download scrubbed copies of the cleared ones as a zip, each recorded as a publication (what `clearance export` does). `X-Clearance-Exported` and `X-Clearance-Blocked` give the counts",
            "x-roles": [
              "editor",
              "dpo"
            ],
            "responses": {
              "200": {
                "description": "A zip file",
                "content": {
                  "application/zip": {
                    "schema": {
                      "type": "string",
                      "contentMediaType": "application/zip"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthenticated"
              },
              "403": {
                "$ref": "#/components/responses/Forbidden"
              },
              "400": {
                "$ref": "#/components/responses/BadInput"
              },
              "409": {
                "description": "None of the assets is cleared for the channel; nothing was exported",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Error"
                    }
                  }
                }
              }
            },
            "requestBody": {
              "required": true,
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "required": [
                      "assets",
                      "channel"
                    ],
                    "properties": {
                      "assets": {
                        "type": "array",
                        "minItems": 1,
                        "maxItems": 1000,
                        "items": {
                          "type": "string",
                          "pattern": "^[0-9a-fA-F]{64}$"
                        }
                      },
                      "channel": {
                        "type": "string"
                      },
                      "postURL": {
                        "type": "string",
                        "description": "Where the post will be (recorded for takedowns)"
                      }
                    }
                  }
                }
              }
            },
            "security": [
              {
                "bearer": []
              },
              {
                "session": []
              }
            ]
          }
        },
        "/api/v1/takedowns": {
          "get": {
            "summary": "Takedown items opened by withdrawals and erasures (`clearance takedowns`)",
            "x-roles": [
              "dpo"
            ],
            "parameters": [
              {
                "name": "filter",
                "in": "query",
                "required": false,
                "description": "Which items",
                "schema": {
                  "type": "string",
                  "enum": [
                    "all",
                    "open",
                    "done",
                    "overdue"
                  ],
                  "default": "all"
                }
              }
            ],
            "responses": {
              "200": {
                "description": "OK",
                "content": {
                  "application/json": {
                    "schema": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/Takedown"
                      }
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthenticated"
              },
              "403": {
                "$ref": "#/components/responses/Forbidden"
              },
              "400": {
                "$ref": "#/components/responses/BadInput"
              }
            },
            "security": [
              {
                "bearer": []
              },
              {
                "session": []
              }
            ]
          }
        },
        "/api/v1/takedowns/{id}/done": {
          "post": {
            "summary": "Close a takedown item, with a note of what was done (`clearance takedown done`)",
            "x-roles": [
              "dpo"
            ],
            "parameters": [
              {
                "name": "id",
                "in": "path",
                "required": true,
                "description": "Takedown id, T-<number>",
                "schema": {
                  "type": "string"
                }
              }
            ],
            "requestBody": {
              "required": true,
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "required": [
                      "note"
                    ],
                    "properties": {
                      "note": {
                        "type": "string"
                      }
                    }
                  }
                }
              }
            },
            "responses": {
              "200": {
                "description": "OK",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Takedown"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthenticated"
              },
              "403": {
                "$ref": "#/components/responses/Forbidden"
              },
              "400": {
                "$ref": "#/components/responses/BadInput"
              }
            },
            "security": [
              {
                "bearer": []
              },
              {
                "session": []
              }
            ]
          }
        },
        "/api/v1/reports/expiring": {
          "get": {
            "summary": "Consents expiring soon (`clearance report expiring`)",
            "x-roles": [
              "dpo"
            ],
            "parameters": [
              {
                "name": "within",
                "in": "query",
                "required": false,
                "description": "Days ahead to look (default 30)",
                "schema": {
                  "type": "integer",
                  "minimum": 0,
                  "maximum": 36500
                }
              },
              {
                "name": "at",
                "in": "query",
                "required": false,
                "description": "Report as of this day (default today, UTC)",
                "schema": {
                  "type": "string",
                  "format": "date"
                }
              }
            ],
            "responses": {
              "200": {
                "description": "OK",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Report"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthenticated"
              },
              "403": {
                "$ref": "#/components/responses/Forbidden"
              },
              "400": {
                "$ref": "#/components/responses/BadInput"
              }
            },
            "security": [
              {
                "bearer": []
              },
              {
                "session": []
              }
            ]
          }
        },
        "/api/v1/reports/ages": {
          "get": {
            "summary": "Children with a guardian's consent who reach the age of consent or 18 soon (`clearance report ages`)",
            "x-roles": [
              "dpo"
            ],
            "parameters": [
              {
                "name": "within",
                "in": "query",
                "required": false,
                "description": "Days ahead to look (default 90)",
                "schema": {
                  "type": "integer",
                  "minimum": 0,
                  "maximum": 36500
                }
              },
              {
                "name": "at",
                "in": "query",
                "required": false,
                "description": "Report as of this day (default today, UTC)",
                "schema": {
                  "type": "string",
                  "format": "date"
                }
              }
            ],
            "responses": {
              "200": {
                "description": "OK",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Report"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthenticated"
              },
              "403": {
                "$ref": "#/components/responses/Forbidden"
              },
              "400": {
                "$ref": "#/components/responses/BadInput"
              }
            },
            "security": [
              {
                "bearer": []
              },
              {
                "session": []
              }
            ]
          }
        },
        "/api/v1/reports/blocked": {
          "get": {
            "summary": "Blocked assets with their reasons, and counts per reason code (`clearance report blocked`)",
            "x-roles": [
              "dpo"
            ],
            "parameters": [
              {
                "name": "channel",
                "in": "query",
                "required": false,
                "description": "Only this channel (default every configured channel)",
                "schema": {
                  "type": "string"
                }
              },
              {
                "name": "at",
                "in": "query",
                "required": false,
                "description": "Report as of this day (default today, UTC)",
                "schema": {
                  "type": "string",
                  "format": "date"
                }
              }
            ],
            "responses": {
              "200": {
                "description": "OK",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Report"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthenticated"
              },
              "403": {
                "$ref": "#/components/responses/Forbidden"
              },
              "400": {
                "$ref": "#/components/responses/BadInput"
              }
            },
            "security": [
              {
                "bearer": []
              },
              {
                "session": []
              }
            ]
          }
        },
        "/api/v1/reports/retention": {
          "get": {
            "summary": "Consents and people past the retention period, ready for erasure (`clearance report retention`)",
            "x-roles": [
              "dpo"
            ],
            "parameters": [
              {
                "name": "at",
                "in": "query",
                "required": false,
                "description": "Report as of this day (default today, UTC)",
                "schema": {
                  "type": "string",
                  "format": "date"
                }
              }
            ],
            "responses": {
              "200": {
                "description": "OK",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Report"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthenticated"
              },
              "403": {
                "$ref": "#/components/responses/Forbidden"
              },
              "400": {
                "$ref": "#/components/responses/BadInput"
              }
            },
            "security": [
              {
                "bearer": []
              },
              {
                "session": []
              }
            ]
          }
        },
        "/api/v1/people/{id}/sar": {
          "get": {
            "summary": "The subject access pack (`clearance sar`): index.html, data.json, receipts, signatures and copies with other people blacked out, in one zip",
            "x-roles": [
              "dpo"
            ],
            "parameters": [
              {
                "name": "id",
                "in": "path",
                "required": true,
                "description": "Person id, P-XXXX-XXXX",
                "schema": {
                  "type": "string",
                  "pattern": "^P-[0-9A-Z]{4}-[0-9A-Z]{4}$"
                }
              }
            ],
            "responses": {
              "200": {
                "description": "A zip file",
                "content": {
                  "application/zip": {
                    "schema": {
                      "type": "string",
                      "contentMediaType": "application/zip"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthenticated"
              },
              "403": {
                "$ref": "#/components/responses/Forbidden"
              },
              "400": {
                "$ref": "#/components/responses/BadInput"
              },
              "404": {
                "$ref": "#/components/responses/NotFound"
              }
            },
            "security": [
              {
                "bearer": []
              },
              {
                "session": []
              }
            ]
          }
        }
      },
      "components": {
        "securitySchemes": {
          "bearer": {
            "type": "http",
            "scheme": "bearer"
          },
          "session": {
            "type": "apiKey",
            "in": "cookie",
            "name": "clearance_session"
          }
        },
        "responses": {
          "Unauthenticated": {
            "description": "No account",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "Forbidden": {
            "description": "The role may not do this, or the CSRF token is missing",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "BadInput": {
            "description": "Bad input; nothing was changed",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "NotFound": {
            "description": "No such thing",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        },
        "schemas": {
          "Error": {
            "type": "object",
            "required": [
              "error"
            ],
            "properties": {
              "error": {
                "type": "string"
              }
            }
          },
          "User": {
            "type": "object",
            "properties": {
              "name": {
                "type": "string"
              },
              "role": {
                "type": "string"
              },
              "createdAt": {
                "type": "string"
              }
            }
          },
          "Verification": {
            "type": "object",
            "properties": {
              "intact": {
                "type": "boolean"
              },
              "events": {
                "type": "integer"
              },
              "people": {
                "type": "integer"
              },
              "erasedPeople": {
                "type": "integer"
              },
              "consents": {
                "type": "integer"
              },
              "lastHash": {
                "type": [
                  "string",
                  "null"
                ]
              },
              "problem": {
                "type": [
                  "string",
                  "null"
                ]
              },
              "badEvent": {
                "type": [
                  "integer",
                  "null"
                ]
              },
              "badTable": {
                "type": [
                  "string",
                  "null"
                ]
              }
            }
          },
          "NewPerson": {
            "type": "object",
            "required": [
              "name"
            ],
            "properties": {
              "name": {
                "type": "string"
              },
              "aliases": {
                "type": "array",
                "items": {
                  "type": "string"
                }
              },
              "born": {
                "type": "string",
                "format": "date"
              },
              "email": {
                "type": "string"
              },
              "phone": {
                "type": "string"
              },
              "serviceUser": {
                "type": "boolean"
              },
              "electedMember": {
                "type": "boolean"
              },
              "staff": {
                "type": "boolean"
              }
            }
          },
          "Person": {
            "type": "object",
            "properties": {
              "id": {
                "type": "string"
              },
              "name": {
                "type": "string"
              },
              "aliases": {
                "type": "array",
                "items": {
                  "type": "string"
                }
              },
              "born": {
                "type": "string",
                "description": "DPO only"
              },
              "email": {
                "type": "string",
                "description": "DPO only"
              },
              "phone": {
                "type": "string",
                "description": "DPO only"
              },
              "roles": {
                "type": "array",
                "items": {
                  "type": "string"
                }
              },
              "addedAt": {
                "type": "string"
              },
              "erasedAt": {
                "type": "string"
              },
              "consents": {
                "type": "array",
                "items": {
                  "$ref": "#/components/schemas/Consent"
                }
              }
            }
          },
          "NewConsent": {
            "type": "object",
            "required": [
              "person",
              "channels"
            ],
            "properties": {
              "person": {
                "type": "string",
                "description": "Person id, or a name matching one person"
              },
              "channels": {
                "type": "array",
                "items": {
                  "type": "string"
                }
              },
              "purposes": {
                "type": "array",
                "items": {
                  "type": "string"
                }
              },
              "event": {
                "type": "string"
              },
              "formVersion": {
                "type": "string"
              },
              "method": {
                "enum": [
                  "tablet",
                  "paper",
                  "qr",
                  "verbal"
                ]
              },
              "witness": {
                "type": "string"
              },
              "given": {
                "type": "string",
                "format": "date"
              },
              "expires": {
                "type": "string",
                "format": "date"
              },
              "guardianName": {
                "type": "string"
              },
              "guardianRelationship": {
                "type": "string"
              },
              "supersedes": {
                "type": "string"
              },
              "signaturePNG": {
                "type": "string",
                "contentEncoding": "base64",
                "contentMediaType": "image/png"
              }
            }
          },
          "Consent": {
            "type": "object",
            "properties": {
              "reference": {
                "type": "string"
              },
              "person": {
                "type": "string"
              },
              "version": {
                "type": "integer"
              },
              "state": {
                "enum": [
                  "active",
                  "withdrawn",
                  "superseded",
                  "erased"
                ]
              },
              "supersedes": {
                "type": "string"
              },
              "supersededBy": {
                "type": "string"
              },
              "channels": {
                "type": "array",
                "items": {
                  "type": "string"
                }
              },
              "purposes": {
                "type": "array",
                "items": {
                  "type": "string"
                }
              },
              "event": {
                "type": "string"
              },
              "formVersion": {
                "type": "string"
              },
              "method": {
                "type": "string"
              },
              "witness": {
                "type": "string"
              },
              "recordedBy": {
                "type": "string"
              },
              "recordedAt": {
                "type": "string"
              },
              "givenAt": {
                "type": "string"
              },
              "expiresAt": {
                "type": "string"
              },
              "guardian": {
                "type": "object",
                "properties": {
                  "name": {
                    "type": "string"
                  },
                  "relationship": {
                    "type": "string"
                  }
                }
              },
              "signatureSHA256": {
                "type": "string"
              },
              "withdrawal": {
                "type": "object"
              },
              "erasedAt": {
                "type": "string"
              }
            }
          },
          "Verdict": {
            "type": "object",
            "required": [
              "asset",
              "path",
              "channel",
              "at",
              "cleared",
              "reasons",
              "consents"
            ],
            "properties": {
              "asset": {
                "type": "string"
              },
              "path": {
                "type": [
                  "string",
                  "null"
                ]
              },
              "channel": {
                "type": "string"
              },
              "at": {
                "type": "string",
                "format": "date"
              },
              "cleared": {
                "type": "boolean"
              },
              "consents": {
                "type": "array",
                "items": {
                  "type": "string"
                }
              },
              "reasons": {
                "type": "array",
                "items": {
                  "type": "object",
                  "required": [
                    "code",
                    "person",
                    "consent",
                    "message"
                  ],
                  "properties": {
                    "code": {
                      "type": "string"
                    },
                    "person": {
                      "type": [
                        "string",
                        "null"
                      ]
                    },
                    "consent": {
                      "type": [
                        "string",
                        "null"
                      ]
                    },
                    "message": {
                      "type": "string"
                    }
                  }
                }
              }
            }
          },
          "Asset": {
            "type": "object",
            "properties": {
              "asset": {
                "type": "string"
              },
              "kind": {
                "type": "string"
              },
              "format": {
                "type": "string"
              },
              "readable": {
                "type": "boolean"
              },
              "capturedAt": {
                "type": "string"
              },
              "width": {
                "type": "integer"
              },
              "height": {
                "type": "integer"
              },
              "faceRegions": {
                "type": "integer"
              },
              "mentions": {
                "type": "array",
                "items": {
                  "type": "object",
                  "properties": {
                    "source": {
                      "type": "string"
                    },
                    "label": {
                      "type": "string"
                    },
                    "region": {
                      "type": "array",
                      "items": {
                        "type": "number"
                      }
                    }
                  }
                }
              },
              "reviews": {
                "type": "array",
                "items": {
                  "type": "object",
                  "properties": {
                    "action": {
                      "type": "string"
                    },
                    "person": {
                      "type": "string"
                    },
                    "by": {
                      "type": "string"
                    },
                    "at": {
                      "type": "string"
                    }
                  }
                }
              }
            }
          },
          "Upload": {
            "type": "object",
            "properties": {
              "asset": {
                "type": "string"
              },
              "new": {
                "type": "boolean"
              },
              "kind": {
                "type": "string"
              },
              "format": {
                "type": "string"
              },
              "faceRegions": {
                "type": "integer"
              },
              "people": {
                "type": "array",
                "items": {
                  "type": [
                    "string",
                    "null"
                  ]
                }
              },
              "filename": {
                "type": "string"
              }
            }
          },
          "Takedown": {
            "type": "object",
            "required": [
              "id",
              "kind",
              "status",
              "person",
              "cause",
              "publication"
            ],
            "properties": {
              "id": {
                "type": "string",
                "pattern": "^T-[0-9]+$"
              },
              "kind": {
                "type": "string",
                "enum": [
                  "takedown",
                  "do-not-reprint"
                ]
              },
              "status": {
                "type": "string",
                "enum": [
                  "open",
                  "overdue",
                  "done",
                  "do-not-reprint"
                ]
              },
              "person": {
                "type": "string"
              },
              "cause": {
                "type": "string",
                "enum": [
                  "withdrawal",
                  "erasure"
                ]
              },
              "consent": {
                "type": "string"
              },
              "openedAt": {
                "type": "string"
              },
              "dueOn": {
                "type": "string",
                "format": "date"
              },
              "overdue": {
                "type": "boolean"
              },
              "doneAt": {
                "type": "string"
              },
              "doneBy": {
                "type": "string"
              },
              "note": {
                "type": "string"
              },
              "publication": {
                "type": "object",
                "properties": {
                  "asset": {
                    "type": "string"
                  },
                  "channel": {
                    "type": "string"
                  },
                  "exportedAt": {
                    "type": "string"
                  },
                  "exportedBy": {
                    "type": "string"
                  },
                  "path": {
                    "type": "string"
                  },
                  "postURL": {
                    "type": "string"
                  },
                  "outputSHA256": {
                    "type": "string"
                  }
                }
              }
            }
          },
          "Withdrawal": {
            "type": "object",
            "required": [
              "consent",
              "affects"
            ],
            "properties": {
              "consent": {
                "$ref": "#/components/schemas/Consent"
              },
              "affects": {
                "type": "object",
                "properties": {
                  "person": {
                    "type": "string"
                  },
                  "otherActiveConsents": {
                    "type": "array",
                    "items": {
                      "type": "string"
                    }
                  },
                  "assets": {
                    "type": "array",
                    "items": {
                      "type": "object",
                      "properties": {
                        "asset": {
                          "type": "string"
                        },
                        "path": {
                          "type": "string"
                        }
                      }
                    }
                  },
                  "takedowns": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/Takedown"
                    }
                  },
                  "doNotReprint": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/Takedown"
                    }
                  }
                }
              }
            }
          },
          "Report": {
            "type": "object",
            "required": [
              "report",
              "at",
              "rows"
            ],
            "properties": {
              "report": {
                "type": "string"
              },
              "at": {
                "type": "string",
                "format": "date"
              },
              "rows": {
                "type": "array",
                "items": {
                  "type": "object",
                  "description": "One key per column of the report"
                }
              },
              "counts": {
                "type": "object",
                "additionalProperties": {
                  "type": "integer"
                }
              }
            }
          }
        }
      }
    }
    """#
}
