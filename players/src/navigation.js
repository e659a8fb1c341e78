/* Where the learner may go next: tree order over launchable items, SCORM 1.2
 * prerequisites, and the SCORM 2004 control modes (choice, choiceExit, flow, forwardOnly). */
(function (ns) {
  "use strict";

  // SCORM 2004 SN defaults when a manifest says nothing (IMS SS controlMode).
  var DEFAULT_CONTROL_MODE = {choice: true, choiceExit: true, flow: false, forwardOnly: false};
  var COMPLETE_12 = {passed: true, completed: true};
  var STATUS_ABBREVIATIONS = {p: "passed", c: "completed", f: "failed", i: "incomplete",
                              b: "browsed", n: "not attempted"};

  function controlModeOf(sequencing) {
    var mode = {};
    var given = (sequencing && (sequencing.control_mode || sequencing.controlMode)) || {};
    Object.keys(DEFAULT_CONTROL_MODE).forEach(function (key) {
      var snake = key.replace(/[A-Z]/g, function (c) { return "_" + c.toLowerCase(); });
      var value = key in given ? given[key] : given[snake];
      mode[key] = typeof value === "boolean" ? value : DEFAULT_CONTROL_MODE[key];
    });
    return mode;
  }

  /* The activity tree: the organization as root, TOC entries as activities. */
  function CourseTree(config) {
    var self = this;
    var scos = config.scos || {};
    var itemSequencing = (config.sequencing && config.sequencing.items) || {};
    this.version = config.scorm_version;
    this.byId = {};
    this.root = {id: null, parent: null, children: [], launchable: false,
                 mode: controlModeOf(config.sequencing)};
    function build(entries, parent) {
      (entries || []).forEach(function (entry) {
        var sco = scos[entry.item];
        var node = {
          id: entry.item,
          title: entry.title,
          parent: parent,
          children: [],
          launchable: !!(entry.launchable && sco),
          prerequisites: sco && sco.prerequisites ? String(sco.prerequisites) : "",
          mode: controlModeOf(entry.sequencing || (sco && sco.sequencing) || itemSequencing[entry.item]),
        };
        self.byId[node.id] = node;
        parent.children.push(node);
        build(entry.children, node);
      });
    }
    build(config.toc, this.root);
    this.order = [];
    (function walk(node) {
      node.children.forEach(function (child) {
        if (child.launchable) {
          self.order.push(child);
        }
        walk(child);
      });
    })(this.root);
    // SCO statuses (1.2 lesson_status) known to the player, for prerequisites.
    this.statuses = {};
  }

  CourseTree.prototype.node = function (id) {
    return Object.prototype.hasOwnProperty.call(this.byId, id) ? this.byId[id] : null;
  };

  CourseTree.prototype.ancestors = function (node) {
    var chain = [];
    for (var p = node && node.parent; p; p = p.parent) {
      chain.push(p);
    }
    return chain;
  };

  CourseTree.prototype.sequenced = function () {
    return this.version === "2004";
  };

  /* SCORM 1.2 (CAM 2.3.2.5.1.4 adlcp:prerequisites, aicc_script): identifiers combined
   * with & | ~, parentheses, =/<> against a status, and n*{a,b,c} sets. */
  CourseTree.prototype.prerequisitesMet = function (node) {
    if (this.sequenced() || !node.prerequisites) {
      return true;
    }
    try {
      return evaluateScript(node.prerequisites, this);
    } catch (e) {
      return true;  // an unreadable prerequisite must not lock the learner out
    }
  };

  CourseTree.prototype.statusOf = function (id) {
    return this.statuses[id] || "not attempted";
  };

  function tokenize(text) {
    var tokens = [];
    var pattern = /\s*(<>|[&|~=(){},*]|[^\s&|~=(){},*<>]+)/g;
    var match;
    while ((match = pattern.exec(text)) !== null) {
      if (match[1]) tokens.push(match[1]);
    }
    return tokens;
  }

  function evaluateScript(text, tree) {
    var tokens = tokenize(text);
    var position = 0;
    function peek() { return tokens[position]; }
    function take(expected) {
      var token = tokens[position++];
      if (expected !== undefined && token !== expected) throw new Error("expected " + expected);
      return token;
    }
    function complete(id) { return !!COMPLETE_12[tree.statusOf(id)]; }
    function primary() {
      var token = take();
      if (token === "~") return !primary();
      if (token === "(") {
        var inner = orExpression();
        take(")");
        return inner;
      }
      if (/^\d+$/.test(token) && peek() === "*") {
        take("*");
        take("{");
        var count = 0;
        for (;;) {
          if (complete(take())) count++;
          if (peek() === ",") { take(","); continue; }
          take("}");
          break;
        }
        return count >= parseInt(token, 10);
      }
      if (peek() === "=" || peek() === "<>") {
        var negate = take() === "<>";
        var wanted = take().replace(/^"|"$/g, "");
        wanted = STATUS_ABBREVIATIONS[wanted.toLowerCase()] || wanted.toLowerCase();
        return (tree.statusOf(token) === wanted) !== negate;
      }
      return complete(token);
    }
    function andExpression() {
      var value = primary();
      while (peek() === "&") { take(); value = primary() && value; }
      return value;
    }
    function orExpression() {
      var value = andExpression();
      while (peek() === "|") { take(); value = andExpression() || value; }
      return value;
    }
    var result = orExpression();
    if (position !== tokens.length) throw new Error("trailing tokens");
    return result;
  }

  /* SCORM 1.2 flow: tree order over launchable items, skipping unmet prerequisites. */
  CourseTree.prototype.stepInOrder = function (fromId, direction) {
    var index = -1;
    for (var i = 0; i < this.order.length; i++) {
      if (this.order[i].id === fromId) index = i;
    }
    for (var j = index + direction; j >= 0 && j < this.order.length; j += direction) {
      if (this.prerequisitesMet(this.order[j])) return this.order[j];
    }
    return null;
  };

  /* SCORM 2004 flow (SN SB.2.1/SB.2.2, simplified): move through siblings under a
   * parent whose flow is on, climbing and descending only through flow-enabled clusters. */
  CourseTree.prototype.flowStep = function (fromId, direction) {
    var node = this.node(fromId);
    if (!node) return null;
    for (;;) {
      var parent = node.parent;
      if (!parent || !parent.mode.flow) return null;
      if (direction < 0 && parent.mode.forwardOnly) return null;
      var siblings = parent.children;
      var index = siblings.indexOf(node) + direction;
      if (index >= 0 && index < siblings.length) {
        return this.descend(siblings[index], direction);
      }
      if (!parent.parent) return null;
      node = parent;
    }
  };

  CourseTree.prototype.descend = function (node, direction) {
    for (;;) {
      if (!node.children.length) {
        return node.launchable ? node : this.flowStep(node.id, direction);
      }
      if (!node.mode.flow || (direction < 0 && node.mode.forwardOnly)) return null;
      node = direction > 0 ? node.children[0] : node.children[node.children.length - 1];
    }
  };

  CourseTree.prototype.next = function (fromId) {
    if (!this.sequenced()) return this.stepInOrder(fromId, 1);
    if (fromId === null) return this.order[0] || null;
    return this.flowStep(fromId, 1);
  };

  CourseTree.prototype.previous = function (fromId) {
    if (!this.sequenced()) return this.stepInOrder(fromId, -1);
    return this.flowStep(fromId, -1);
  };

  /* SN SB.2.9 (simplified): every ancestor of the target allows choice, and no
   * activity the choice would leave forbids choice exit. */
  CourseTree.prototype.choiceAllowed = function (currentId, targetId) {
    var target = this.node(targetId);
    if (!target || !target.launchable) return false;
    if (!this.sequenced()) return this.prerequisitesMet(target);
    var targetAncestors = this.ancestors(target);
    for (var i = 0; i < targetAncestors.length; i++) {
      if (!targetAncestors[i].mode.choice) return false;
    }
    var current = this.node(currentId);
    if (current && current !== target) {
      var leaving = [current].concat(this.ancestors(current));
      for (var j = 0; j < leaving.length; j++) {
        var activity = leaving[j];
        if (activity === target || targetAncestors.indexOf(activity) >= 0) break;
        if (!activity.mode.choiceExit) return false;
      }
    }
    return true;
  };

  CourseTree.prototype.jumpAllowed = function (targetId) {
    // SCORM 2004 4th Ed jump ignores control modes; the target must be deliverable.
    var target = this.node(targetId);
    return !!(target && target.launchable);
  };

  /* adl.nav.request value -> {kind, target}; kinds the player acts on. */
  function parseNavRequest(request) {
    var match = /^\{target=([^}]*)\}(choice|jump)$/.exec(request || "");
    if (match) return {kind: match[2], target: match[1]};
    if (/^(continue|previous|exit|exitAll|suspendAll|abandon|abandonAll)$/.test(request || "")) {
      return {kind: request, target: null};
    }
    return null;
  }

  ns.CourseTree = CourseTree;
  ns.controlModeOf = controlModeOf;
  ns.parseNavRequest = parseNavRequest;
  ns.evaluatePrerequisites = evaluateScript;
})(window.ScormProxy = window.ScormProxy || {});
