/* The run-time glue: one scorm-again API instance per SCO launch, seeded from the
 * server, committing through our commit envelope. */
(function (ns) {
  "use strict";

  // Browsers refuse keepalive/beacon bodies above 64 KiB in flight; leave room for headers.
  var KEEPALIVE_MAX_BYTES = 60 * 1024;
  var SETTLE_TIMEOUT_MS = 5000;

  var VERSIONS = {
    "1.2": {
      constructorName: "Scorm12API",
      windowName: "API",
      commitFailure: 101,  // 1.2 has no commit-specific code: General Exception
      totalTime: "cmi.core.total_time",
    },
    "2004": {
      constructorName: "Scorm2004API",
      windowName: "API_1484_11",
      commitFailure: 391,  // General Commit Failure
      totalTime: "cmi.total_time",
    },
  };

  function scalar(value) {
    var kind = typeof value;
    return kind === "string" || kind === "number" || kind === "boolean";
  }

  function flattenState(tree, prefix, out) {
    // The server sends flattened elements; nested objects are tolerated too.
    out = out || {};
    Object.keys(tree || {}).forEach(function (key) {
      var name = prefix ? prefix + "." + key : key;
      var value = tree[key];
      if (value !== null && typeof value === "object") {
        flattenState(value, name, out);
      } else if (scalar(value)) {
        out[name] = String(value);
      }
    });
    return out;
  }

  function byteLength(text) {
    return new Blob([text]).size;
  }

  function jsonResponse(text) {
    try {
      return JSON.parse(text);
    } catch (e) {
      return null;
    }
  }

  /* Carries commits to the server; scorm-again's IHttpService. Ordinary commits are
   * synchronous (the SCO learns the outcome); the final one rides on fetch keepalive
   * (or a beacon) so it survives the tab closing. */
  function CommitChannel(options) {
    this.url = options.url;
    this.version = VERSIONS[options.version];
    this.nextSeq = options.firstSeq;
    this.payloadOf = options.payloadOf;
    this.onResult = options.onResult || function () {};
    this.pending = [];
  }

  CommitChannel.prototype.updateSettings = function () {};

  CommitChannel.prototype.envelope = function (extra) {
    var body = this.payloadOf();
    body.seq = this.nextSeq++;
    Object.keys(extra).forEach(function (key) { body[key] = extra[key]; });
    return body;
  };

  CommitChannel.prototype.processHttpRequest = function (url, params, immediate) {
    if (immediate) {
      this.sendFinal(this.envelope({terminated: true, beacon: true}));
      return {result: "true", errorCode: 0};
    }
    return this.sendNow(this.envelope({terminated: false}));
  };

  CommitChannel.prototype.failure = function (message) {
    return {result: "false", errorCode: this.version.commitFailure, errorMessage: message};
  };

  CommitChannel.prototype.sendNow = function (body) {
    // SCORM wants Commit to answer with the LMS's verdict, hence the synchronous request.
    var xhr = new XMLHttpRequest();
    try {
      xhr.open("POST", this.url, false);
      xhr.setRequestHeader("Content-Type", "application/json");
      xhr.send(JSON.stringify(body));
    } catch (e) {
      // Browsers refuse synchronous requests while a page unloads, which is exactly
      // when many SCOs commit: hand the body to a beacon instead.
      body.beacon = true;
      if (this.beacon(body)) {
        return {result: "true", errorCode: 0};
      }
      this.onResult(false, body, null);
      return this.failure(String(e && e.message || e));
    }
    var answer = jsonResponse(xhr.responseText);
    var ok = xhr.status >= 200 && xhr.status < 300 && !!(answer && answer.ok);
    this.onResult(ok, body, answer);
    if (!ok) {
      var error = answer && answer.error;
      return this.failure((error && error.message) || ("HTTP " + xhr.status));
    }
    return {result: "true", errorCode: 0};
  };

  CommitChannel.prototype.sendFinal = function (body) {
    var self = this;
    var text = JSON.stringify(body);
    // Too large for keepalive: an ordinary request, which only survives if the page does.
    var sent = fetch(this.url, {method: "POST", body: text, keepalive: byteLength(text) <= KEEPALIVE_MAX_BYTES,
                                credentials: "same-origin", headers: {"Content-Type": "application/json"}});
    var settled = sent.then(function (response) {
      return response.text().then(function (answerText) {
        var answer = jsonResponse(answerText);
        self.onResult(response.ok && !!(answer && answer.ok), body, answer);
      });
    }, function () {
      self.onResult(false, body, null);
    });
    this.track(settled);
  };

  CommitChannel.prototype.beacon = function (body) {
    // pagehide/visibilitychange: the page may be gone before any answer arrives.
    var text = JSON.stringify(body);
    var queued = false;
    if (navigator.sendBeacon) {
      queued = navigator.sendBeacon(this.url, new Blob([text], {type: "text/plain;charset=UTF-8"}));
    }
    if (!queued && byteLength(text) <= KEEPALIVE_MAX_BYTES) {
      this.track(fetch(this.url, {method: "POST", body: text, keepalive: true, credentials: "same-origin",
                                  headers: {"Content-Type": "application/json"}}).catch(function () {}));
      queued = true;
    }
    return queued;
  };

  CommitChannel.prototype.track = function (promise) {
    var pending = this.pending;
    pending.push(promise);
    promise.then(function () { pending.splice(pending.indexOf(promise), 1); });
  };

  CommitChannel.prototype.settled = function (timeoutMs) {
    var all = Promise.all(this.pending.slice());
    var timeout = new Promise(function (resolve) { setTimeout(resolve, timeoutMs || SETTLE_TIMEOUT_MS); });
    return Promise.race([all, timeout]);
  };

  /* One SCO session: the API instance, the elements it was launched with and those
   * the SCO set, and the channel its commits go through. */
  function ScoSession(options) {
    var version = VERSIONS[options.version];
    var Api = window[version.constructorName];
    if (typeof Api !== "function") {
      throw new Error("scorm-again (" + version.constructorName + ") is not loaded");
    }
    var self = this;
    this.version = options.version;
    this.seeded = flattenState(options.state && options.state.cmi);
    this.setElements = {};
    this.navRequest = null;
    this.channel = new CommitChannel({
      url: options.commitUrl,
      version: options.version,
      firstSeq: options.firstSeq,
      payloadOf: function () { return self.payload(); },
      onResult: options.onCommitResult,
    });
    this.api = new Api({
      lmsCommitUrl: options.commitUrl,
      httpService: this.channel,
      dataCommitFormat: "flattened",
      sendFullCommit: true,
      autocommit: options.autocommitSeconds > 0,
      autocommitSeconds: options.autocommitSeconds || 60,
      logLevel: options.logLevel || 4,
      scoItemIdValidator: options.targetValidator || false,
    });
    this.api.loadFromFlattenedJSON(this.seeded, "");
    this.baseline = this.render();
    this.watchSets();
  }

  ScoSession.prototype.render = function () {
    var flat = this.api.renderCommitCMI(false);
    var out = {};
    Object.keys(flat).forEach(function (key) {
      if (scalar(flat[key])) {
        out[key] = String(flat[key]);
      }
    });
    return out;
  };

  ScoSession.prototype.watchSets = function () {
    var self = this;
    var setName = this.version === "1.2" ? "LMSSetValue" : "SetValue";
    var original = this.api[setName];
    this.api[setName] = function (element, value) {
      var result = original.apply(this, arguments);
      if (result === "true") {
        self.setElements[String(element)] = true;
        if (String(element) === "adl.nav.request") {
          // scorm-again clears the request on Terminate; the player acts on it afterwards.
          self.navRequest = String(value) === "_none_" ? null : String(value);
        }
      }
      return result;
    };
  };

  /* The commit body without seq: every element the SCO set and every element that
   * moved since launch (scorm-again's own status rules), cumulative over the session so
   * a lost or late commit is covered by the next. Launch values are the server's own:
   * repeating them would only risk a mismatch with read-only elements. */
  ScoSession.prototype.payload = function () {
    var current = this.render();
    var cmi = {};
    var self = this;
    Object.keys(current).forEach(function (key) {
      if (key === VERSIONS[self.version].totalTime) {
        return;  // the server accumulates total time itself; the SCO cannot write it
      }
      var before = key in self.baseline ? self.baseline[key] : "";  // a new row's blank fields are not news
      if (key in self.setElements || current[key] !== before) {
        cmi[key] = current[key];
      }
    });
    delete cmi["adl.nav.request"];
    if (this.navRequest) {
      cmi["adl.nav.request"] = this.navRequest;
    }
    return {cmi: cmi, nav_request: this.navRequest};
  };

  ScoSession.prototype.isInitialized = function () {
    return this.api.isInitialized();
  };

  ScoSession.prototype.isTerminated = function () {
    return this.api.isTerminated();
  };

  ScoSession.prototype.terminate = function () {
    // The player ends a session the SCO left open (navigation, exit): as the SCO would.
    if (this.isInitialized() && !this.isTerminated()) {
      return this.version === "1.2" ? this.api.LMSFinish("") : this.api.Terminate("");
    }
    return "false";
  };

  ScoSession.prototype.flushOnHide = function () {
    if (this.isInitialized() && !this.isTerminated()) {
      this.channel.beacon(this.channel.envelope({terminated: false, beacon: true}));
    }
  };

  ScoSession.prototype.settled = function (timeoutMs) {
    return this.channel.settled(timeoutMs);
  };

  ScoSession.prototype.lastSeq = function () {
    return this.channel.nextSeq - 1;
  };

  ns.VERSIONS = VERSIONS;
  ns.flattenState = flattenState;
  ns.ScoSession = ScoSession;
})(window.ScormProxy = window.ScormProxy || {});
