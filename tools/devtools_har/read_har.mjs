// Reads a HAR file with Chrome DevTools' own HAR importer (front_end/models/har of the
// chrome-devtools-frontend npm package, the code behind "Import HAR file" in the Network panel) and
// prints, as JSON, what DevTools made of each entry. tools/fetch_devtools_har.sh bundles this file
// with DevTools' sources into .cache/devtools-har/read_har.mjs; run that with `node <bundle> FILE.har`.
// A HAR that DevTools rejects makes this exit 1 with DevTools' error message on stderr.
import {readFileSync} from 'node:fs';

import * as HAR from 'front_end/models/har/har.js';

function cookieSummary(cookie) {
  return {name: cookie.name(), domain: cookie.domain() || null, path: cookie.path() || null,
          httpOnly: cookie.httpOnly(), secure: cookie.secure()};
}

function describe(request) {
  const initiator = request.initiator();
  return {
    url: request.url(),
    method: request.requestMethod,
    status: request.statusCode,
    statusText: request.statusText,
    protocol: request.protocol,
    mimeType: request.mimeType || null,
    resourceType: request.resourceType().name(),
    documentURL: request.documentURL,
    initiator: initiator ? {type: initiator.type, url: initiator.url ?? null} : null,
    requestHeaders: request.requestHeaders().map(h => h.name),
    responseHeaders: request.responseHeaders.map(h => h.name),
    requestCookies: request.includedRequestCookies().map(c => c.cookie.name()),
    responseCookies: request.responseCookies.map(cookieSummary),
    issueTime: request.issueTime(),
    endTime: request.endTime,
    timing: request.timing ?? null,
    finished: request.finished,
  };
}

const path = process.argv[2];
if (!path) {
  process.stderr.write('usage: node read_har.mjs FILE.har\n');
  process.exit(2);
}
let requests;
let root;
try {
  root = new HAR.HARFormat.HARRoot(JSON.parse(readFileSync(path, 'utf8')));
  requests = HAR.Importer.Importer.requestsFromHARLog(root.log);
} catch (error) {
  process.stderr.write(`DevTools rejected the HAR: ${error && error.message}\n`);
  process.exit(1);
}
process.stdout.write(JSON.stringify({
  version: root.log.version,
  creator: root.log.creator.name,
  pages: root.log.pages.map(page => ({id: page.id, title: page.title})),
  requests: requests.map(describe),
}));
