/// Mustache templates of the pages. Plain HTML and a little plain JavaScript, no build step.
/// `{{x}}` escapes HTML; `{{{x}}}` is used only for markup the server made itself (the QR SVG).
enum PageTemplateText {
    static let all: [(String, String)] = [
        ("head", head), ("foot", foot), ("login", login), ("home", home), ("capture", capture),
        ("receipt", receipt), ("withdraw", withdraw), ("check", check), ("dashboard", dashboard),
        ("person", person), ("message", message), ("selfService", selfService), ("pending", pending),
    ]

    static let head = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · Clearance</title>
        <style>
        :root { font-family: system-ui, sans-serif; line-height: 1.4; }
        body { margin: 0 auto; max-width: 52rem; padding: 0 1rem 3rem; }
        header { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; border-bottom: 1px solid #ccc; padding: .5rem 0; }
        header nav a { margin-right: .8rem; }
        header form { margin-left: auto; }
        label { display: block; font-weight: 600; margin-top: .9rem; }
        input[type=text], input[type=search], input[type=date], input[type=password], input[type=email], select, textarea {
          font-size: 1.1rem; padding: .5rem; width: 100%; box-sizing: border-box; max-width: 30rem; }
        button, .button { font-size: 1.1rem; padding: .6rem 1.2rem; margin-top: 1rem; cursor: pointer; }
        .error { color: #a00; font-weight: 600; display: block; }
        .field-error input, .field-error select { border: 2px solid #a00; }
        fieldset { border: 1px solid #ccc; margin-top: 1rem; }
        .ticks label { display: inline-flex; align-items: center; gap: .5rem; font-weight: normal; margin: .3rem 1rem .3rem 0;
          padding: .5rem .8rem; border: 1px solid #999; border-radius: .4rem; }
        .ticks input { width: 1.6rem; height: 1.6rem; }
        .formtext { background: #f4f4f4; padding: .6rem 1rem; border-left: 4px solid #666; }
        canvas#signature { border: 2px dashed #666; width: 100%; max-width: 30rem; height: 10rem; touch-action: none; background: #fff; }
        .reference { font-family: monospace; font-size: 2rem; letter-spacing: .1em; }
        table { border-collapse: collapse; } th, td { text-align: left; padding: .3rem .6rem; vertical-align: top; border-bottom: 1px solid #eee; }
        .verdict { display: flex; flex-wrap: wrap; gap: 1rem; border: 1px solid #ccc; padding: .8rem; margin: .8rem 0; }
        .cleared { border-left: 8px solid #070; } .blocked { border-left: 8px solid #a00; }
        .thumb { position: relative; display: inline-block; max-width: 16rem; }
        .thumb img { max-width: 16rem; display: block; }
        .face { position: absolute; border: 2px solid #ff0; box-shadow: 0 0 0 1px #000; }
        .face span { position: absolute; top: 100%; left: 0; background: #000; color: #ff0; font-size: .75rem; white-space: nowrap; padding: 0 .2rem; }
        .status-ok { color: #070; font-weight: 700; } .status-bad { color: #a00; font-weight: 700; }
        a:focus, button:focus, input:focus, select:focus { outline: 3px solid #06c; outline-offset: 2px; }
        #withdrawal-link { word-break: break-all; } svg { max-width: 100%; height: auto; }
        @media print { header, .noprint { display: none; } }
        </style>
        </head>
        <body>
        <header>
        <strong>Clearance</strong>
        {{#user}}<nav>{{#canCapture}}<a href="/capture">Consent capture</a><a href="/self-service">Self-service</a>{{/canCapture}}{{#canCheck}}<a href="/check">Check assets</a>{{/canCheck}}{{#isDPO}}<a href="/dpo">DPO dashboard</a>{{/isDPO}}</nav>
        <form method="post" action="/logout"><input type="hidden" name="csrf" value="{{csrf}}"><span>{{name}} ({{role}})</span> <button type="submit">Sign out</button></form>{{/user}}
        </header>
        <main>
        """

    static let foot = """
        </main>
        </body>
        </html>
        """

    static let message = """
        {{> head}}
        <h1>{{title}}</h1>
        <p>{{text}}</p>
        {{#link}}<p><a href="{{href}}">{{label}}</a></p>{{/link}}
        {{> foot}}
        """

    static let login = """
        {{> head}}
        <h1>Sign in</h1>
        {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
        <form method="post" action="/login">
        <input type="hidden" name="csrf" value="{{loginToken}}">
        <label for="name">Account name</label>
        <input type="text" id="name" name="name" value="{{nameValue}}" autocomplete="username" autocapitalize="none" required autofocus>
        <label for="password">Password</label>
        <input type="password" id="password" name="password" autocomplete="current-password" required>
        <button type="submit">Sign in</button>
        </form>
        {{> foot}}
        """

    static let home = """
        {{> head}}
        <h1>Hello, {{#user}}{{name}}{{/user}}</h1>
        <ul>
        {{#user}}{{#canCapture}}<li><a href="/capture">Record consent at an event</a></li>
        <li><a href="/self-service">Self-service: a QR code for attendees' own phones, and forms to confirm</a></li>{{/canCapture}}
        {{#canCheck}}<li><a href="/check">Check photos and videos before publishing</a></li>{{/canCheck}}
        {{#isDPO}}<li><a href="/dpo">DPO dashboard</a></li>{{/isDPO}}
        {{#isAdmin}}<li>Accounts: <code>clearance user add</code> or <code>POST /api/v1/users</code></li>{{/isAdmin}}{{/user}}
        <li><a href="/api/v1/openapi.json">API description (OpenAPI)</a></li>
        </ul>
        {{> foot}}
        """

    static let capture = """
        {{> head}}
        <h1>Photo and video consent</h1>
        {{#formError}}<p class="error" role="alert">{{formError}}</p>{{/formError}}
        <form method="post" action="{{formAction}}" id="capture" novalidate>
        <input type="hidden" name="csrf" value="{{csrf}}">
        {{#fixedEvent}}<p id="fixed-event"><strong>Event:</strong> {{fixedEvent}}</p>{{/fixedEvent}}
        {{#editableEvent}}<div class="{{#errors.event}}field-error{{/errors.event}}">
        <label for="event">Event</label>
        <input type="text" id="event" name="event" list="events" value="{{values.event}}" required aria-describedby="event-error">
        <datalist id="events">{{#events}}<option value="{{.}}">{{/events}}</datalist>
        {{#errors.event}}<span class="error" id="event-error">{{errors.event}}</span>{{/errors.event}}
        </div>{{/editableEvent}}
        <p class="formtext" id="formtext"><strong>What you are agreeing to</strong> (form version {{formVersion}}):
        we may take photos and videos of you at this event and publish them on the channels you tick below,
        until {{expiryYears}} years from today. You can withdraw at any time, free of charge, with the link
        on your receipt or by contacting {{withdrawalContact}}.</p>
        <input type="hidden" name="formVersion" value="{{formVersion}}">
        <div class="{{#errors.name}}field-error{{/errors.name}}">
        <label for="name">Full name</label>
        <input type="text" id="name" name="name" value="{{values.name}}" autocomplete="off" required aria-describedby="name-error">
        {{#errors.name}}<span class="error" id="name-error">{{errors.name}}</span>{{/errors.name}}
        </div>
        <div class="{{#errors.born}}field-error{{/errors.born}}">
        <label for="born">Date of birth (or choose an age band below)</label>
        <input type="date" id="born" name="born" value="{{values.born}}" aria-describedby="born-error">
        {{#errors.born}}<span class="error" id="born-error">{{errors.born}}</span>{{/errors.born}}
        <label for="ageBand">Age band</label>
        <select id="ageBand" name="ageBand">
        <option value="">(date of birth given)</option>
        <option value="adult" {{#ageAdult}}selected{{/ageAdult}}>Adult</option>
        <option value="child" {{#ageChild}}selected{{/ageChild}}>Under {{ageOfConsent}} (a parent or guardian consents)</option>
        </select>
        </div>
        <fieldset class="ticks {{#errors.channels}}field-error{{/errors.channels}}">
        <legend>Where may we publish? Tick each one you agree to.</legend>
        {{#channels}}<label><input type="checkbox" name="channels" value="{{name}}" {{#checked}}checked{{/checked}}> {{name}}</label>{{/channels}}
        {{#errors.channels}}<span class="error">{{errors.channels}}</span>{{/errors.channels}}
        </fieldset>
        <fieldset id="guardian" class="{{#errors.guardian}}field-error{{/errors.guardian}}">
        <legend>Parent or guardian (needed under {{ageOfConsent}})</legend>
        <label for="guardianName">Guardian's name</label>
        <input type="text" id="guardianName" name="guardianName" value="{{values.guardianName}}">
        <label for="guardianRelationship">Relationship</label>
        <input type="text" id="guardianRelationship" name="guardianRelationship" value="{{values.guardianRelationship}}" placeholder="mother, father, carer…">
        {{#errors.guardian}}<span class="error">{{errors.guardian}}</span>{{/errors.guardian}}
        </fieldset>
        <div class="{{#errors.email}}field-error{{/errors.email}}">
        <label for="email">Email (optional, for a copy of the receipt)</label>
        <input type="email" id="email" name="email" value="{{values.email}}">
        {{#errors.email}}<span class="error">{{errors.email}}</span>{{/errors.email}}
        </div>
        <div class="{{#errors.signature}}field-error{{/errors.signature}}">
        <label for="signature">Signature</label>
        <canvas id="signature" width="600" height="200" tabindex="0" aria-label="Sign here with a finger, pen or mouse"></canvas>
        <input type="hidden" name="signature" id="signatureData">
        <button type="button" id="clearSignature" class="noprint">Clear signature</button>
        {{#errors.signature}}<span class="error">{{errors.signature}}</span>{{/errors.signature}}
        </div>
        <button type="submit">Save consent</button>
        </form>
        <script>
        (function () {
          var born = document.getElementById('born'), band = document.getElementById('ageBand');
          var guardian = document.getElementById('guardian'), age = {{ageOfConsent}};
          function isChild() {
            if (band.value === 'child') return true;
            if (!born.value) return false;
            var b = new Date(born.value), now = new Date(), years = now.getFullYear() - b.getFullYear();
            if (now.getMonth() < b.getMonth() || (now.getMonth() === b.getMonth() && now.getDate() < b.getDate())) years--;
            return years < age;
          }
          function update() { guardian.hidden = !isChild() && !guardian.querySelector('.error'); }
          born.addEventListener('input', update); band.addEventListener('change', update); update();
          var canvas = document.getElementById('signature'), pen = canvas.getContext('2d'), drawn = false, down = false;
          pen.lineWidth = 3; pen.lineCap = 'round'; pen.strokeStyle = '#000';
          function at(e) { var r = canvas.getBoundingClientRect();
            return [(e.clientX - r.left) * canvas.width / r.width, (e.clientY - r.top) * canvas.height / r.height]; }
          canvas.addEventListener('pointerdown', function (e) { down = true; var p = at(e); pen.beginPath(); pen.moveTo(p[0], p[1]); canvas.setPointerCapture(e.pointerId); });
          canvas.addEventListener('pointermove', function (e) { if (!down) return; var p = at(e); pen.lineTo(p[0], p[1]); pen.stroke(); drawn = true; });
          canvas.addEventListener('pointerup', function () { down = false; });
          document.getElementById('clearSignature').addEventListener('click', function () { pen.clearRect(0, 0, canvas.width, canvas.height); drawn = false; });
          document.getElementById('capture').addEventListener('submit', function () {
            document.getElementById('signatureData').value = drawn ? canvas.toDataURL('image/png') : '';
          });
        })();
        </script>
        {{> foot}}
        """

    static let receipt = """
        {{> head}}
        <h1>Consent saved</h1>
        <p>Reference</p>
        <p class="reference" id="reference">{{reference}}</p>
        <table>
        <tr><th>Name</th><td>{{personName}}</td></tr>
        <tr><th>Event</th><td>{{event}}</td></tr>
        <tr><th>Channels</th><td>{{channels}}</td></tr>
        {{#guardian}}<tr><th>Given by</th><td>{{guardian}}</td></tr>{{/guardian}}
        <tr><th>Form version</th><td>{{formVersion}}</td></tr>
        <tr><th>Given on</th><td>{{givenAt}}</td></tr>
        <tr><th>Expires on</th><td>{{expiresAt}}</td></tr>
        </table>
        <h2>Changed your mind?</h2>
        <p>Scan this code, or open the link, to withdraw this consent yourself. No account is needed; keep the link private.</p>
        <div>{{{qrSVG}}}</div>
        <p><a id="withdrawal-link" href="{{withdrawalURL}}">{{withdrawalURL}}</a></p>
        <p>Or contact {{withdrawalContact}} quoting {{reference}}.</p>
        <p class="noprint"><button type="button" onclick="window.print()">Print receipt</button> <a class="button" href="/capture">Next person</a></p>
        {{> foot}}
        """

    static let withdraw = """
        {{> head}}
        <h1>Your photo and video consent</h1>
        <table>
        <tr><th>Reference</th><td class="reference">{{reference}}</td></tr>
        <tr><th>Event</th><td>{{event}}</td></tr>
        <tr><th>Channels</th><td>{{channels}}</td></tr>
        <tr><th>Status</th><td id="state">{{state}}</td></tr>
        </table>
        {{#done}}<p role="status" class="status-ok">Your consent has been withdrawn. No new photo or video of you will be published under it, and we will take down what we can of what was already published.</p>{{/done}}
        {{#active}}
        <form method="post" action="{{action}}">
        <p>You can withdraw at any time, without giving a reason.</p>
        <button type="submit" id="withdraw">Withdraw my consent</button>
        </form>
        {{/active}}
        {{#inactive}}<p>This consent is {{state}}; there is nothing to withdraw.</p>{{/inactive}}
        {{> foot}}
        """

    static let check = """
        {{> head}}
        <h1>Check before publishing</h1>
        {{#formError}}<p class="error" role="alert">{{formError}}</p>{{/formError}}
        <form method="get" action="/check" role="search" class="noprint">
        <label for="q">Find photos and videos by file or folder name</label>
        <input type="search" id="q" name="q" value="{{q}}"> <button type="submit">Find</button>
        {{#searched}}<a href="/check">Show the newest</a>{{/searched}}
        </form>
        <form method="post" action="/check" id="pick">
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="q" value="{{q}}">
        <div class="{{#errors.channel}}field-error{{/errors.channel}}">
        <label for="channel">Channel</label>
        <select id="channel" name="channel">{{#channels}}<option value="{{name}}" {{#selected}}selected{{/selected}}>{{name}}</option>{{/channels}}</select>
        {{#errors.channel}}<span class="error">{{errors.channel}}</span>{{/errors.channel}}
        </div>
        <fieldset class="ticks {{#errors.assets}}field-error{{/errors.assets}}">
        <legend>Photos and videos</legend>
        {{#assets}}<label><input type="checkbox" name="assets" value="{{sha256}}" {{#checked}}checked{{/checked}}> {{label}}</label>{{/assets}}
        {{^assets}}{{#searched}}<p>No photo or video has a name containing “{{q}}”.</p>{{/searched}}{{^searched}}<p>Nothing ingested yet: upload a file below.</p>{{/searched}}{{/assets}}
        {{#moreThanListed}}<p><small>Showing the {{listedCount}} newest of {{matchingCount}}; type part of a name above to find the others.</small></p>{{/moreThanListed}}
        {{#errors.assets}}<span class="error">{{errors.assets}}</span>{{/errors.assets}}
        </fieldset>
        <button type="submit">Check</button>
        </form>
        <form id="upload" class="noprint">
        <label for="file">Upload photos or videos</label>
        <input type="file" id="file" multiple accept="image/*,video/*">
        <button type="submit">Upload</button> <span id="upload-status" role="status"></span>
        </form>
        {{#hasResults}}<h2>Verdicts for {{checkedChannel}}</h2>
        {{#canExport}}<form method="post" action="/check/export" class="noprint" id="export">
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="channel" value="{{checkedChannel}}">
        {{#results}}<input type="hidden" name="assets" value="{{sha256}}">{{/results}}
        <label for="postURL">Where will the post be? (optional, kept for takedowns)</label>
        <input type="text" id="postURL" name="postURL" placeholder="https://…">
        <button type="submit">Download the {{clearedCount}} cleared, scrubbed copies (zip)</button>
        <small>Each copy is recorded as published on {{checkedChannel}}.</small>
        </form>{{/canExport}}{{/hasResults}}
        {{#results}}
        <section class="verdict {{#cleared}}cleared{{/cleared}}{{^cleared}}blocked{{/cleared}}">
        <div class="thumb">{{#isImage}}<img src="/assets/{{sha256}}/file" alt="{{label}}" loading="lazy">{{#faces}}<div class="face" style="left:{{x}}%;top:{{y}}%;width:{{w}}%;height:{{h}}%"><span>{{name}}</span></div>{{/faces}}{{/isImage}}{{^isImage}}<p>{{label}} (video)</p>{{/isImage}}</div>
        <div><h3>{{label}}</h3>
        <p class="{{#cleared}}status-ok{{/cleared}}{{^cleared}}status-bad{{/cleared}}">{{#cleared}}Cleared for {{channel}}{{/cleared}}{{^cleared}}Blocked for {{channel}}{{/cleared}}</p>
        <ul>{{#reasons}}<li>{{message}} <small>({{code}})</small></li>{{/reasons}}</ul></div>
        </section>
        {{/results}}
        <script>
        document.getElementById('upload').addEventListener('submit', async function (e) {
          e.preventDefault();
          var files = document.getElementById('file').files, status = document.getElementById('upload-status');
          for (var i = 0; i < files.length; i++) {
            status.textContent = 'Uploading ' + files[i].name + '…';
            var r = await fetch('/api/v1/assets?filename=' + encodeURIComponent(files[i].name), { method: 'POST',
              headers: { 'X-CSRF-Token': '{{csrf}}', 'Content-Type': files[i].type || 'application/octet-stream' }, body: files[i] });
            if (!r.ok) { status.textContent = files[i].name + ': ' + ((await r.json()).error || r.status); return; }
          }
          location.reload();
        });
        </script>
        {{> foot}}
        """

    static let dashboard = """
        {{> head}}
        <h1>DPO dashboard</h1>
        <section><h2>Ledger</h2>
        {{#verification}}<p class="{{#intact}}status-ok{{/intact}}{{^intact}}status-bad{{/intact}}" id="ledger-status">{{#intact}}Intact{{/intact}}{{^intact}}Tampered: {{problem}}{{/intact}}</p>
        <p>{{events}} events, {{people}} people ({{erasedPeople}} erased), {{consents}} consent versions.</p>{{/verification}}</section>
        <section><h2>Find a person</h2>
        <form method="get" action="/dpo"><label for="q">Name, alias or id</label><input type="text" id="q" name="q" value="{{query}}"><button type="submit">Search</button></form>
        {{#searched}}<ul>{{#found}}<li><a href="/dpo/people/{{id}}">{{name}}</a> {{id}}</li>{{/found}}{{^found}}<li>Nobody matches.</li>{{/found}}</ul>{{/searched}}
        </section>
        <section><h2>Withdrawals</h2>
        <table><tr><th>Consent</th><th>Person</th><th>Withdrawn</th><th>Via</th></tr>
        {{#withdrawals}}<tr><td>{{reference}}</td><td><a href="/dpo/people/{{person}}">{{person}}</a></td><td>{{at}}</td><td>{{via}}</td></tr>{{/withdrawals}}</table>
        {{^withdrawals}}<p>None.</p>{{/withdrawals}}</section>
        <section><h2>Takedowns</h2>
        <p id="takedown-summary">{{openCount}} open, <span class="{{#hasOverdue}}status-bad{{/hasOverdue}}">{{overdueCount}} overdue</span>.</p>
        <table>{{#takedowns}}<tr><td>{{id}}</td><td><a href="/dpo/people/{{person}}">{{person}}</a></td><td>{{channel}} {{file}}</td><td>{{#postURL}}<a href="{{postURL}}" rel="noreferrer">post</a>{{/postURL}}</td><td class="{{#overdue}}status-bad{{/overdue}}">due {{dueOn}}</td></tr>{{/takedowns}}</table>
        </section>
        <form method="get" action="/dpo" class="noprint"><label for="report-channel">Blocked assets for channel</label>
        <select id="report-channel" name="channel">{{#channels}}<option value="{{name}}" {{#selected}}selected{{/selected}}>{{name}}</option>{{/channels}}</select>
        <button type="submit">Show</button></form>
        {{#reports}}<section id="report-{{name}}"><h2>{{caption}}</h2>
        {{#empty}}<p>None.</p>{{/empty}}{{^empty}}<table><tr>{{#headings}}<th>{{.}}</th>{{/headings}}</tr>
        {{#rows}}<tr>{{#cells}}<td>{{.}}</td>{{/cells}}</tr>{{/rows}}</table>{{/empty}}
        {{#hasCounts}}<table>{{#counts}}<tr><th>{{key}}</th><td>{{count}}</td></tr>{{/counts}}</table>{{/hasCounts}}
        </section>{{/reports}}
        {{> foot}}
        """

    static let person = """
        {{> head}}
        <h1>{{name}}</h1>
        <table>
        <tr><th>Id</th><td>{{id}}</td></tr>
        <tr><th>Aliases</th><td>{{aliases}}</td></tr>
        <tr><th>Date of birth</th><td>{{born}}</td></tr>
        <tr><th>Email</th><td>{{email}}</td></tr>
        <tr><th>Phone</th><td>{{phone}}</td></tr>
        <tr><th>Roles</th><td>{{roles}}</td></tr>
        {{#erasedAt}}<tr><th>Erased</th><td>{{erasedAt}}</td></tr>{{/erasedAt}}
        </table>
        <h2>Consents</h2>
        <table><tr><th>Reference</th><th>State</th><th>Channels</th><th>Given</th><th>Expires</th></tr>
        {{#consents}}<tr><td>{{reference}}</td><td>{{state}}</td><td>{{channels}}</td><td>{{givenAt}}</td><td>{{expiresAt}}</td></tr>{{/consents}}</table>
        {{^erasedAt}}<p><a href="/api/v1/people/{{id}}/sar" id="sar-pack">Subject access pack (zip): receipts, signatures, data.json and the photos of them with other people blacked out</a></p>{{/erasedAt}}
        <p><a href="/api/v1/people/{{id}}" download="{{id}}.json">Everything held, as JSON</a></p>
        {{^erasedAt}}<form method="post" action="/dpo/people/{{id}}/erase" onsubmit="return confirm('Erase {{id}} for good?')">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <button type="submit">Erase this person (Art. 17)</button></form>{{/erasedAt}}
        {{> foot}}
        """

    static let selfService = """
        {{> head}}
        <h1>Self-service consent</h1>
        <p>Attendees scan the event's code with their own phone and fill in the consent form there.
        Nothing is recorded until you confirm their form below.</p>
        <form method="post" action="/self-service" class="noprint">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <div class="{{#errors.event}}field-error{{/errors.event}}">
        <label for="event">Event</label>
        <input type="text" id="event" name="event" list="events" value="{{eventValue}}" required>
        <datalist id="events">{{#events}}<option value="{{.}}">{{/events}}</datalist>
        {{#errors.event}}<span class="error">{{errors.event}}</span>{{/errors.event}}
        </div>
        <button type="submit" id="open-link">Show a QR code for this event</button>
        </form>
        <h2>Waiting for confirmation</h2>
        <table id="pending">{{#pending}}<tr><td>{{submittedAt}}</td><td>{{event}}</td><td>{{name}}</td><td><a href="/self-service/pending/{{id}}">Review</a></td></tr>{{/pending}}</table>
        {{^pending}}<p>No forms waiting.</p>{{/pending}}
        <h2>Open event codes</h2>
        {{#links}}<section class="event-link">
        <h3>{{event}}</h3>
        <div>{{{qrSVG}}}</div>
        <p><a class="self-link" href="{{url}}">{{url}}</a></p>
        <form method="post" action="/self-service/links/{{id}}/close" class="noprint"><input type="hidden" name="csrf" value="{{csrf}}">
        <button type="submit">Close this code</button></form>
        </section>{{/links}}
        {{^links}}<p>None open.</p>{{/links}}
        {{> foot}}
        """

    static let pending = """
        {{> head}}
        <h1>Confirm a self-service form</h1>
        {{#formError}}<p class="error" role="alert">{{formError}}</p>{{/formError}}
        <table>
        <tr><th>Event</th><td>{{event}}</td></tr>
        <tr><th>Name</th><td id="pending-name">{{name}}</td></tr>
        <tr><th>Date of birth</th><td>{{born}}</td></tr>
        <tr><th>Age band</th><td>{{ageBand}}</td></tr>
        <tr><th>Channels</th><td>{{channels}}</td></tr>
        <tr><th>Guardian</th><td>{{guardian}}</td></tr>
        <tr><th>Email</th><td>{{email}}</td></tr>
        <tr><th>Submitted</th><td>{{submittedAt}}</td></tr>
        </table>
        {{#signature}}<p>Signature</p><img src="{{signature}}" alt="The signature drawn on the phone" style="max-width:30rem;border:1px solid #ccc">{{/signature}}
        <p>Check the person in front of you is the one named, then confirm. Confirming records the consent exactly as for the tablet form.</p>
        <form method="post" action="/self-service/pending/{{id}}/confirm" style="display:inline"><input type="hidden" name="csrf" value="{{csrf}}">
        <button type="submit" id="confirm">Confirm and record</button></form>
        <form method="post" action="/self-service/pending/{{id}}/reject" style="display:inline"><input type="hidden" name="csrf" value="{{csrf}}">
        <button type="submit" id="reject">Reject (deletes the form)</button></form>
        {{> foot}}
        """
}
