#!/usr/bin/python3
"""Regenerates docs/openapi.yaml from the route table of portald and the summaries below.

Usage: scripts/openapi_gen.py build/shells/http/portald docs/openapi.yaml

A new route needs one entry in S (tag, summary, response schema, request body, query
parameters); the script refuses to run while a served route has none. The test
shells/http/tests/test_zz_coverage.py checks that the file lists exactly the served routes.
"""
import subprocess, sys
routes = [l.split() for l in subprocess.check_output([sys.argv[1], "--print-routes"], text=True).splitlines()]
S = {
 ("GET","/api/studies/{study_uid}"): ("Studies","One study (LIST-2 fields, DIF-1 seen flags)","Study",None,[]),
 ("GET","/api/studies"): ("Studies","Search studies visible to the caller (LIST-1, LIST-3..5)","StudyPage",None,
   ["period","date_from","date_to","first_name","last_name","modality","patient_id","accession","referring","performing","site","seen","sort","limit","offset"]),
 ("GET","/api/studies/{study_uid}/series"): ("Studies","The series of a study","SeriesList",None,[]),
 ("GET","/api/studies/{study_uid}/instances"): ("Studies","The instances of a study, optionally of one series","InstanceList",None,["series_uid"]),
 ("GET","/api/studies/{study_uid}/history"): ("Studies","The same patient's other visible studies, newest first (LIST-7)","StudyList",None,[]),
 ("POST","/api/studies/{study_uid}/seen"): ("Studies","Mark the study as seen by the caller's role (DIF-1)",None,None,[]),
 ("PUT","/api/studies/{study_uid}/disabled"): ("Studies","Disable or enable a study (LIST-7; disable_study right)",None,"Disabled",[]),
 ("POST","/api/studies/{study_uid}/access-code"): ("Studies","New patient access code for a study (ACC-2)","AccessCode",None,[]),
 ("GET","/api/studies/{study_uid}/export"): ("Studies","Export a study: DICOM zip with DICOMDIR, JPEG zip or PDF summary (export right)","binary",None,["format"]),
 ("POST","/api/studies/{study_uid}/send"): ("Studies","Send a study to a configured DICOM node with C-STORE (PLAT-2; download right)","SendReport","SendRequest",[]),
 ("POST","/api/uploads"): ("Uploads","Upload DICOM files and zip archives (multipart field files); per-file results","IngestResults","multipart",[]),
 ("POST","/api/studies/{study_uid}/files"): ("Uploads","Add DICOM, PDF, PNG or JPEG files to a study (ING-3)","IngestResults","multipart",[]),
 ("POST","/api/studies"): ("Uploads","Create a study from PNG/JPEG images and a form (ING-4)","IngestResults","multipart-form",[]),
 ("GET","/api/studies/{study_uid}/shares"): ("Sharing","The shares of a study","ShareList",None,[]),
 ("POST","/api/studies/{study_uid}/shares"): ("Sharing","Share a study with email addresses (DIF-5, DIF-6)","ShareList","ShareRequest",[]),
 ("POST","/api/studies/{study_uid}/shares/user"): ("Sharing","Share a study with an existing account","Share","ShareUserRequest",[]),
 ("GET","/api/shares"): ("Sharing","Every share (administrators, radiologists)","ShareList",None,[]),
 ("DELETE","/api/shares/{id}"): ("Sharing","Revoke a share: access stops at once",None,None,[]),
 ("GET","/api/studies/{study_uid}/grants"): ("Sharing","The access grants of a study","GrantList",None,[]),
 ("PUT","/api/studies/{study_uid}/grants/{login}"): ("Sharing","Grant an account access to a study","Grant","Expiry",[]),
 ("DELETE","/api/studies/{study_uid}/grants/{login}"): ("Sharing","Revoke an account's grant to a study",None,None,[]),
 ("GET","/api/instances/{sop_uid}/file"): ("Imaging","The stored DICOM file of an instance","dicom",None,[]),
 ("GET","/api/instances/{sop_uid}/render"): ("Imaging","One frame rendered to JPEG or PNG","image",None,["frame","window_center","window_width","preset","invert","width","height","format","quality"]),
 ("GET","/api/instances/{sop_uid}/thumbnail"): ("Imaging","A JPEG thumbnail","image",None,["size"]),
 ("GET","/api/instances/{sop_uid}/frames/{frame}"): ("Imaging","One frame as stored, uncompressed or as JPEG (VIEW-7)","binary",None,["transfer","quality"]),
 ("POST","/api/session"): ("Session","Sign in with login or email and password (ACC-1); sets the session cookie","SessionInfo","SignIn",[]),
 ("POST","/api/session/patient"): ("Session","Patient sign-in with accession number and birth date (ACC-2)","SessionInfo","PatientSignIn",[]),
 ("GET","/api/session"): ("Session","The caller: principal, profile, account, rights, CSRF token","SessionInfo",None,[]),
 ("DELETE","/api/session"): ("Session","Sign out (ACC-6)",None,None,[]),
 ("POST","/api/captcha"): ("Accounts","A new image captcha (ACC-1)","Captcha",None,[]),
 ("POST","/api/register"): ("Accounts","Self-registration (ACC-1)","User","Registration",[]),
 ("POST","/api/register/confirm"): ("Accounts","Confirm a registration from the emailed token",None,"Token",[]),
 ("POST","/api/password/lost"): ("Accounts","Lost password: mail a reset link (ACC-4)","Message","LostPassword",[]),
 ("POST","/api/password/reset"): ("Accounts","Set a new password from a reset token",None,"ResetPassword",[]),
 ("POST","/api/invitations"): ("Accounts","Invite an email address (ACC-3; share right)","InvitationInfo","Invite",[]),
 ("POST","/api/invitations/accept"): ("Accounts","Redeem an invitation: creates a guest account","User","Registration",[]),
 ("GET","/api/me"): ("Account","The signed-in account","User",None,[]),
 ("PATCH","/api/me"): ("Account","Change one's own fields (ACC-5)","User","UserUpdate",[]),
 ("PUT","/api/me/preferences"): ("Account","Store one's preferences (LIST-6)","Preferences","Preferences",[]),
 ("POST","/api/me/password"): ("Account","Change one's password",None,"ChangePassword",[]),
 ("GET","/api/me/tokens"): ("Account","One's personal access tokens","TokenList",None,[]),
 ("POST","/api/me/tokens"): ("Account","Create a personal access token (shown once)","AccessToken","NewToken",[]),
 ("DELETE","/api/me/tokens/{id}"): ("Account","Revoke a personal access token",None,None,[]),
 ("GET","/api/admin/users"): ("Administration","Accounts, optionally in one state","UserList",None,["state"]),
 ("POST","/api/admin/users"): ("Administration","Create an active account","User","NewUser",[]),
 ("GET","/api/admin/users/{login}"): ("Administration","One account by login, email or id","User",None,[]),
 ("POST","/api/admin/users/{login}/activate"): ("Administration","Activate an account",None,None,[]),
 ("POST","/api/admin/users/{login}/disable"): ("Administration","Disable an account and end its sessions",None,None,[]),
 ("PUT","/api/admin/users/{login}/profile"): ("Administration","Change an account's profile",None,"ProfileChange",[]),
 ("PUT","/api/admin/users/{login}/password"): ("Administration","Set an account's password",None,"PasswordSet",[]),
 ("PUT","/api/admin/users/{login}/physician"): ("Administration","Link a referring physician account to study values (ACC-7)",None,"PhysicianLink",[]),
 ("GET","/api/admin/profiles"): ("Administration","Profiles and their rights","ProfileList",None,[]),
 ("PUT","/api/admin/profiles/{profile}/rights/{right}"): ("Administration","Grant a right to a profile",None,None,[]),
 ("DELETE","/api/admin/profiles/{profile}/rights/{right}"): ("Administration","Revoke a right of a profile",None,None,[]),
 ("GET","/api/admin/audit"): ("Administration","Search the audit trail (PLAT-3), newest first","AuditList",None,["login","action","study_uid","patient_id","outcome","from","to","limit","offset"]),
 ("GET","/api/admin/mail"): ("Administration","The mail outbox (DIF-8)","MailList",None,["status"]),
 ("POST","/api/admin/mail/{id}/retry"): ("Administration","Schedule a message for immediate delivery",None,None,[]),
 ("GET","/healthz"): ("Operations","Health: the index answers","Health",None,[]),
 ("GET","/metrics"): ("Operations","Prometheus metrics: requests and latency per route, ingest counts, outbox size","text",None,[]),
 ("GET","/api/openapi.yaml"): ("Operations","This document","yaml",None,[]),
}
missing = [(m,p) for m,p,*_ in routes if (m,p) not in S]
assert not missing, missing
PARAM = {"study_uid":"Study Instance UID","series_uid":"Series Instance UID","sop_uid":"SOP Instance UID","id":"Numeric id","login":"Login, email or id","profile":"Profile identifier","right":"Right name","frame":"0-based frame index"}
QDESC = {"period":"all, today, yesterday, 7d, 30d, custom","sort":"date, -date, patient_name, ... ('-' = descending)","seen":"seen or unseen (by the caller's role)","format":"dicom (default), jpeg or pdf; render: jpeg or png","transfer":"as_stored (default), uncompressed, jpeg","preset":"abdomen, bone, brain, lung, mediastinum","invert":"true or false","state":"awaiting_confirmation, awaiting_activation, active, disabled","status":"pending, sent, failed"}
INTQ = {"limit","offset","frame","width","height","quality","size"}
out = []
w = out.append
w("""openapi: 3.0.3
info:
  title: libportal HTTP API (portald)
  version: 0.1.0
  description: |
    The JSON API of portald (docs/http.md). Every error is {"error": {"code", "message"}} with
    the code names of portal::ErrorCode (invalid_argument, not_found, already_exists,
    permission_denied, unauthenticated, conflict, corrupt, too_large, unsupported, io, internal)
    or of the HTTP layer (csrf, busy, timeout). A study the caller may not see is 404.
    Browsers authenticate with the session cookie `portal_session` and must send the header
    X-CSRF-Token (from sign-in or GET /api/session) on every state-changing request; API
    clients send `Authorization: Bearer pat_...` (personal access tokens, `portal tokens`).
    This file lists exactly the routes of the server's route table (a test checks it).
servers:
  - url: http://127.0.0.1:8042
components:
  securitySchemes:
    cookie:
      type: apiKey
      in: cookie
      name: portal_session
    bearer:
      type: http
      scheme: bearer
  schemas:
    Error:
      type: object
      required: [error]
      properties:
        error:
          type: object
          required: [code, message]
          properties:
            code: {type: string}
            message: {type: string}
    Patient:
      type: object
      properties:
        patient_id: {type: string}
        family_name: {type: string}
        given_name: {type: string}
        birth_date: {type: string, description: YYYYMMDD}
        sex: {type: string}
    Study:
      type: object
      properties:
        uid: {type: string}
        patient: {$ref: '#/components/schemas/Patient'}
        date: {type: string}
        time: {type: string}
        description: {type: string}
        accession: {type: string}
        referring_physician: {type: string}
        performing_physician: {type: string}
        reading_physician: {type: string}
        institution: {type: string}
        repository: {type: string}
        modalities: {type: array, items: {type: string}}
        num_series: {type: integer}
        num_instances: {type: integer}
        size_bytes: {type: integer}
        received_at: {type: string}
        updated_at: {type: string}
        seen_by_radiologist: {type: boolean}
        seen_by_referring: {type: boolean}
        seen_by_patient: {type: boolean}
    StudyPage:
      type: object
      properties:
        total: {type: integer}
        limit: {type: integer}
        offset: {type: integer}
        truncated: {type: boolean}
        studies: {type: array, items: {$ref: '#/components/schemas/Study'}}
    StudyList:
      type: object
      properties:
        studies: {type: array, items: {$ref: '#/components/schemas/Study'}}
    SeriesList:
      type: object
      properties:
        series: {type: array, items: {type: object}}
    InstanceList:
      type: object
      properties:
        instances: {type: array, items: {type: object}}
    IngestResults:
      type: object
      properties:
        stored: {type: integer}
        duplicates: {type: integer}
        rejected: {type: integer}
        files:
          type: array
          items:
            type: object
            properties:
              source: {type: string}
              status: {type: string, enum: [stored, duplicate, rejected]}
              error: {type: string, nullable: true}
              message: {type: string}
              study_uid: {type: string}
              series_uid: {type: string}
              sop_uid: {type: string}
              size_bytes: {type: integer}
    Share:
      type: object
      properties:
        id: {type: integer}
        study_uid: {type: string}
        recipient: {type: string}
        recipient_login: {type: string}
        shared_by: {type: string}
        message: {type: string}
        created_at: {type: string}
        expires_at: {type: string}
        revoked_at: {type: string}
        pending: {type: boolean}
        active: {type: boolean}
    ShareList:
      type: object
      properties:
        shares: {type: array, items: {$ref: '#/components/schemas/Share'}}
    Grant:
      type: object
      properties:
        study_uid: {type: string}
        user_login: {type: string}
        granted_by: {type: string}
        created_at: {type: string}
        expires_at: {type: string}
        revoked_at: {type: string}
        active: {type: boolean}
    GrantList:
      type: object
      properties:
        grants: {type: array, items: {$ref: '#/components/schemas/Grant'}}
    Preferences:
      type: object
      properties:
        language: {type: string}
        first_tab: {type: string}
        columns: {type: array, items: {type: string}}
        default_period: {type: string}
    User:
      type: object
      properties:
        id: {type: string}
        login: {type: string}
        emails: {type: array, items: {type: string}}
        first_name: {type: string}
        last_name: {type: string}
        phone: {type: string}
        physician_id: {type: string}
        linked_physician_id: {type: string}
        referring_name: {type: string}
        profile: {type: string}
        state: {type: string}
        preferences: {$ref: '#/components/schemas/Preferences'}
        created_at: {type: string}
    UserList:
      type: object
      properties:
        users: {type: array, items: {$ref: '#/components/schemas/User'}}
    SessionInfo:
      type: object
      properties:
        principal: {type: string, enum: [user, patient]}
        profile: {type: string}
        user: {allOf: [{$ref: '#/components/schemas/User'}], nullable: true}
        rights: {type: array, items: {type: string}}
        csrf_token: {type: string, description: cookie sessions only}
    AccessToken:
      type: object
      properties:
        id: {type: integer}
        name: {type: string}
        user_login: {type: string}
        token: {type: string, description: only in the answer to its creation}
        created_at: {type: string}
        expires_at: {type: string}
        last_used_at: {type: string}
        revoked_at: {type: string}
        active: {type: boolean}
    TokenList:
      type: object
      properties:
        tokens: {type: array, items: {$ref: '#/components/schemas/AccessToken'}}
    ProfileList:
      type: object
      properties:
        profiles: {type: array, items: {type: object}}
        known_rights: {type: array, items: {type: string}}
    AuditList:
      type: object
      properties:
        events: {type: array, items: {type: object}}
    MailList:
      type: object
      properties:
        messages: {type: array, items: {type: object}}
    Captcha:
      type: object
      properties:
        id: {type: string}
        png_base64: {type: string}
    AccessCode:
      type: object
      properties:
        access_code: {type: string}
    InvitationInfo:
      type: object
      properties:
        email: {type: string}
        expires_at: {type: string}
    Message:
      type: object
      properties:
        message: {type: string}
    SendReport:
      type: object
      properties:
        node: {type: string}
        sent: {type: integer}
        failed: {type: integer}
        failures: {type: array, items: {type: string}}
    Health:
      type: object
      properties:
        status: {type: string}
    Body:
      type: object
      description: JSON object; fields as named in docs/http.md
      additionalProperties: true
  responses:
    Error:
      description: Failure
      content:
        application/json:
          schema: {$ref: '#/components/schemas/Error'}
security:
  - cookie: []
  - bearer: []
paths:""")
bypath = {}
for m,p,*rest in routes:
    bypath.setdefault(p, []).append(m)
import re
for p, methods in bypath.items():
    w(f"  {p}:")
    params = re.findall(r"{(\w+)}", p)
    for m in methods:
        tag, summary, resp, body, query = S[(m,p)]
        w(f"    {m.lower()}:")
        w(f"      tags: [{tag}]")
        w(f"      summary: {summary!r}".replace("'", '"') if "'" not in summary else f"      summary: \"{summary}\"")
        public = p in ("/healthz","/metrics","/api/openapi.yaml","/api/captcha","/api/register","/api/register/confirm","/api/password/lost","/api/password/reset","/api/invitations/accept") or (m=="POST" and p in ("/api/session","/api/session/patient"))
        if public: w("      security: []")
        if params or query:
            w("      parameters:")
            for n in params:
                w(f"        - {{name: {n}, in: path, required: true, description: {PARAM[n]}, schema: {{type: {'integer' if n in ('id','frame') else 'string'}}}}}")
            for q in query:
                t = "integer" if q in INTQ else ("number" if q.startswith("window_") else "string")
                d = QDESC.get(q)
                w(f"        - {{name: {q}, in: query, schema: {{type: {t}}}" + (f", description: \"{d}\"" if d else "") + "}")
        if body:
            w("      requestBody:")
            w("        required: true")
            w("        content:")
            if body.startswith("multipart"):
                w("          multipart/form-data:")
                w("            schema:")
                w("              type: object")
                w("              properties:")
                w("                files: {type: array, items: {type: string, format: binary}}")
                if p == "/api/uploads":
                    w('                ignore_patient_id: {type: string, enum: ["true", "false"], description: "ING-2: merge into the known patient when names and birth date match but the patient ID differs"}')
                if body == "multipart-form":
                    for f in ["patient_family_name","patient_given_name","birth_date","sex","patient_id","study_description","study_date","modality","accession","referring_physician"]:
                        w(f"                {f}: {{type: string}}")
            else:
                w("          application/json:")
                w("            schema: {$ref: '#/components/schemas/Body'}")
        w("      responses:")
        code = "201" if (m=="POST" and p in ("/api/register","/api/invitations","/api/invitations/accept","/api/me/tokens","/api/admin/users","/api/studies","/api/studies/{study_uid}/shares","/api/studies/{study_uid}/shares/user","/api/studies/{study_uid}/access-code")) else ("202" if p=="/api/password/lost" else "200")
        if resp is None:
            w("        '204': {description: Done}")
        else:
            w(f"        '{code}':")
            w("          description: OK")
            w("          content:")
            if resp in ("binary","dicom","image","text","yaml"):
                mt = {"binary":"application/octet-stream","dicom":"application/dicom","image":"image/jpeg","text":"text/plain","yaml":"application/yaml"}[resp]
                w(f"            {mt}:")
                w("              schema: {type: string, format: binary}")
            else:
                w("            application/json:")
                w(f"              schema: {{$ref: '#/components/schemas/{resp}'}}")
        w("        default: {$ref: '#/components/responses/Error'}")
open(sys.argv[2],"w").write("\n".join(out)+"\n")
