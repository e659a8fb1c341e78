/* The player shell: launches SCOs into the content frame, keeps the table of
 * contents and the navigation buttons honest, and hands navigation requests on. */
(function (ns) {
  "use strict";

  var FRAME_UNLOAD_TIMEOUT_MS = 3000;
  var AUTOCOMMIT_SECONDS = 60;
  var CLOSING_KINDS = {exitAll: true, suspendAll: true, abandonAll: true};

  function readConfig() {
    var holder = document.getElementById("player-config");
    return JSON.parse(holder.textContent);
  }

  function itemUrl(template, itemId) {
    // The server's URLs are templates: {item}, {item_id} or <item_id> stand for the item.
    var encoded = encodeURIComponent(itemId);
    return template.replace(/\{item(_id)?\}|<item_id>|%7Bitem(_id)?%7D/g, encoded);
  }

  function Player(config) {
    this.config = config;
    this.version = config.scorm_version === "1.2" ? "1.2" : "2004";
    this.tree = new ns.CourseTree(config);
    this.frame = document.getElementById("content-frame");
    this.status = document.getElementById("player-status");
    this.current = null;
    this.session = null;
    this.lastSeq = {};
    this.queue = Promise.resolve();
    this.finished = false;
  }

  Player.prototype.setState = function (state) {
    document.body.setAttribute("data-player-state", state);
  };

  Player.prototype.say = function (message, kind) {
    this.status.textContent = message || "";
    this.status.setAttribute("data-kind", kind || "info");
  };

  /* Navigation requests run one at a time, in the order they were made. */
  Player.prototype.enqueue = function (step) {
    var self = this;
    this.queue = this.queue.then(step).catch(function (error) {
      self.setState("error");
      self.say("Something went wrong: " + (error && error.message || error), "error");
    });
    return this.queue;
  };

  Player.prototype.fetchState = function (itemId) {
    var sco = this.config.scos[itemId] || {};
    var url = sco.state_url || itemUrl(this.config.state_url, itemId);
    return fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) throw new Error("could not load the progress of this activity (" + response.status + ")");
        return response.json();
      });
  };

  Player.prototype.loadFrame = function (src, timeoutMs) {
    var frame = this.frame;
    return new Promise(function (resolve) {
      var timer = timeoutMs ? setTimeout(done, timeoutMs) : null;
      function done() {
        frame.removeEventListener("load", done);
        if (timer) clearTimeout(timer);
        resolve();
      }
      frame.addEventListener("load", done);
      frame.setAttribute("src", src);
    });
  };

  /* End the running SCO: unloading the frame lets it terminate itself; whatever it
   * left open, the player terminates; then wait for the final commit to land. */
  Player.prototype.leaveCurrent = function () {
    var session = this.session;
    if (!session) return Promise.resolve();
    var self = this;
    // The player is moving on: a nav request the SCO makes while unloading no longer counts.
    session.leaving = true;
    return this.loadFrame("about:blank", FRAME_UNLOAD_TIMEOUT_MS).then(function () {
      session.terminate();
      return session.settled();
    }).then(function () {
      self.remember(session);
      self.session = null;
    });
  };

  Player.prototype.remember = function (session) {
    this.lastSeq[session.itemId] = session.lastSeq();
    if (this.version === "1.2") {
      this.tree.statuses[session.itemId] = session.api.cmi.core.lesson_status;
    }
  };

  Player.prototype.launch = function (itemId) {
    var self = this;
    var sco = this.config.scos[itemId];
    if (!sco) return Promise.reject(new Error("nothing to launch for " + itemId));
    this.setState("loading");
    return this.leaveCurrent().then(function () {
      return self.fetchState(itemId);
    }).then(function (state) {
      var firstSeq = Math.max(state.seq || 0, self.lastSeq[itemId] || 0) + 1;
      var session = new ns.ScoSession({
        version: self.version,
        state: state,
        commitUrl: sco.commit_url || itemUrl(self.config.commit_url, itemId),
        firstSeq: firstSeq,
        autocommitSeconds: AUTOCOMMIT_SECONDS,
        targetValidator: function (target) { return self.tree.choiceAllowed(itemId, target); },
        onCommitResult: function (ok, body, answer) { self.commitResult(ok, answer); },
      });
      session.itemId = itemId;
      ns.applyCorrections(session.api, self.version);
      if (self.version === "1.2") {
        completeOnFinish(session);
      }
      if (self.version === "2004") {
        self.answerNavValidity(session, itemId);
      }
      self.exposeApi(session.api);
      session.api.on(self.version === "1.2" ? "LMSFinish" : "Terminate", function () {
        if (!session.leaving) setTimeout(function () { self.afterTerminate(session); }, 0);
      });
      self.session = session;
      self.current = itemId;
      self.markCurrent(itemId, sco.title);
      self.refreshControls();
      return self.loadFrame(sco.href);
    }).then(function () {
      self.setState("ready");
    });
  };

  /* SCORM 1.2 RTE 3.4 (cmi.core.lesson_status): a SCO that never set its status is
   * "completed" at LMSFinish, or passed/failed against the mastery score when it reported
   * a raw score. scorm-again leaves such a SCO "not attempted". */
  function completeOnFinish(session) {
    var api = session.api;
    var finish = api.LMSFinish;
    api.LMSFinish = function () {
      var core = api.cmi.core;
      if (session.isInitialized() && !session.isTerminated() && core.lesson_status === "not attempted" &&
          core.lesson_mode !== "browse") {
        var mastery = parseFloat(api.cmi.student_data.mastery_score);
        var raw = parseFloat(core.score.raw);
        if (!isNaN(mastery) && !isNaN(raw) && core.credit === "credit") {
          core.lesson_status = raw >= mastery ? "passed" : "failed";
        } else {
          core.lesson_status = "completed";
        }
      }
      return finish.apply(this, arguments);
    };
  }

  Player.prototype.exposeApi = function (api) {
    // Content finds the API by walking up its parent chain to this window.
    window[ns.VERSIONS[this.version].windowName] = api;
  };

  /* adl.nav.request_valid answers what the buttons and the TOC would do. */
  Player.prototype.answerNavValidity = function (session, itemId) {
    var tree = this.tree;
    var valid = session.api.adl.nav.request_valid;
    valid.continue = tree.next(itemId) ? "true" : "false";
    valid.previous = tree.previous(itemId) ? "true" : "false";
    var original = session.api.GetValue;
    var pattern = /^adl\.nav\.request_valid\.(choice|jump)\.\{target=(.+)\}$/;
    session.api.GetValue = function (element) {
      var match = pattern.exec(String(element));
      if (match && session.isInitialized() && !session.isTerminated()) {
        session.api.lastErrorCode = "0";
        var allowed = match[1] === "jump" ? tree.jumpAllowed(match[2]) : tree.choiceAllowed(itemId, match[2]);
        return allowed ? "true" : "false";
      }
      return original.apply(this, arguments);
    };
  };

  Player.prototype.commitResult = function (ok, answer) {
    if (ok) {
      if (this.status.getAttribute("data-kind") === "save-failed") this.say("");
      return;
    }
    var error = answer && answer.error;
    this.say("Your progress could not be saved" + (error && error.message ? ": " + error.message : "."),
             "save-failed");
  };

  /* The SCO terminated itself; for SCORM 2004, act on its navigation request. */
  Player.prototype.afterTerminate = function (session) {
    if (session !== this.session) return;
    this.remember(session);
    this.refreshControls();
    if (this.version !== "2004") return;
    var request = ns.parseNavRequest(session.navRequest);
    if (!request) return;
    var self = this;
    this.enqueue(function () { return self.follow(request, session.itemId); });
  };

  Player.prototype.follow = function (request, fromId) {
    var tree = this.tree;
    var target = null;
    if (request.kind === "continue") target = tree.next(fromId);
    else if (request.kind === "previous") target = tree.previous(fromId);
    else if (request.kind === "choice" && tree.choiceAllowed(fromId, request.target)) target = tree.node(request.target);
    else if (request.kind === "jump" && tree.jumpAllowed(request.target)) target = tree.node(request.target);
    else if (CLOSING_KINDS[request.kind]) return this.finish();
    if (target) return this.launch(target.id);
    var last = tree.order.length && tree.order[tree.order.length - 1].id === fromId;
    if (request.kind === "continue" && last) {
      this.say("You have reached the end of the course. Use Exit to leave.");
    } else if (request.kind === "exit" || request.kind === "abandon") {
      this.say("Choose the next activity from the table of contents.");
    } else {
      this.say("That navigation request is not allowed here.");
    }
    this.refreshControls();
    return null;
  };

  Player.prototype.finish = function () {
    var self = this;
    this.finished = true;
    this.setState("finished");
    return this.leaveCurrent().then(function () {
      window.location.assign(self.config.exit_url);
    });
  };

  Player.prototype.markCurrent = function (itemId, title) {
    var entries = document.querySelectorAll("#toc [data-item]");
    for (var i = 0; i < entries.length; i++) {
      if (entries[i].getAttribute("data-item") === itemId) {
        entries[i].setAttribute("aria-current", "step");
      } else {
        entries[i].removeAttribute("aria-current");
      }
    }
    this.frame.setAttribute("title", title || "Course content");
    document.body.setAttribute("data-current-item", itemId);
  };

  Player.prototype.refreshControls = function () {
    var tree = this.tree;
    var current = this.current;
    setEnabled(document.getElementById("nav-continue"), !!tree.next(current));
    setEnabled(document.getElementById("nav-previous"), current !== null && !!tree.previous(current));
    var entries = document.querySelectorAll("#toc button[data-item]");
    for (var i = 0; i < entries.length; i++) {
      var id = entries[i].getAttribute("data-item");
      setEnabled(entries[i], id === current || tree.choiceAllowed(current, id));
    }
  };

  function setEnabled(element, enabled) {
    if (!element) return;
    element.disabled = !enabled;
    element.setAttribute("aria-disabled", enabled ? "false" : "true");
  }

  /* Launch an item as a TOC choice would, bypassing control modes (automation). */
  Player.prototype.navigateTo = function (itemId) {
    var self = this;
    return this.enqueue(function () { return self.launch(itemId); });
  };

  Player.prototype.bind = function () {
    var self = this;
    document.getElementById("nav-continue").addEventListener("click", function () {
      self.enqueue(function () {
        var target = self.tree.next(self.current);
        return target ? self.launch(target.id) : null;
      });
    });
    document.getElementById("nav-previous").addEventListener("click", function () {
      self.enqueue(function () {
        var target = self.tree.previous(self.current);
        return target ? self.launch(target.id) : null;
      });
    });
    document.getElementById("nav-exit").addEventListener("click", function () {
      self.enqueue(function () { return self.finish(); });
    });
    document.getElementById("toc").addEventListener("click", function (event) {
      var entry = event.target.closest ? event.target.closest("button[data-item]") : null;
      if (!entry || entry.disabled) return;
      var id = entry.getAttribute("data-item");
      self.enqueue(function () {
        if (id === self.current && self.session && !self.session.isTerminated()) return null;
        return self.tree.choiceAllowed(self.current, id) || id === self.current ? self.launch(id) : null;
      });
    });
    // The final word must reach the server even when the tab is closed mid-session.
    window.addEventListener("pagehide", function () { self.flush(); });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") self.flush();
    });
  };

  Player.prototype.flush = function () {
    if (this.session) this.session.flushOnHide();
  };

  /* 1.2 prerequisites name other SCOs: learn their statuses before deciding. */
  Player.prototype.loadStatuses = function () {
    var self = this;
    var needed = this.tree.order.filter(function (node) { return node.prerequisites; });
    if (this.version !== "1.2" || !needed.length) return Promise.resolve();
    return Promise.all(this.tree.order.map(function (node) {
      return self.fetchState(node.id).then(function (state) {
        var status = ns.flattenState(state.cmi)["cmi.core.lesson_status"];
        if (status) self.tree.statuses[node.id] = status;
      }, function () {});
    }));
  };

  Player.prototype.start = function () {
    var self = this;
    this.bind();
    this.refreshControls();
    var first = this.config.start_item || (this.tree.order[0] && this.tree.order[0].id);
    if (!first) {
      this.setState("ready");
      this.say("This course has nothing to launch.");
      return this.queue;
    }
    return this.enqueue(function () {
      return self.loadStatuses().then(function () { return self.launch(first); });
    });
  };

  ns.Player = Player;
  ns.itemUrl = itemUrl;

  function boot() {
    var player = new Player(readConfig());
    ns.player = player;
    player.start();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", boot);
  } else {
    boot();
  }
})(window.ScormProxy = window.ScormProxy || {});
