/* Where scorm-again answers differently from the ADL conformance suite, the player
 * corrects the answer before the content sees it. Each correction names its source. */
(function (ns) {
  "use strict";

  // SCORM 1.2 RTE 3.4.2 CMIIdentifier: no white space or unprintable characters.
  var IDENTIFIER_ELEMENTS_12 = /^cmi\.(objectives\.\d+\.id|interactions\.\d+\.id|interactions\.\d+\.objectives\.\d+\.id)$/;
  var NOT_AN_IDENTIFIER = /[\s\x00-\x1f\x7f]/;

  /* `before` may answer instead of scorm-again; `after` may rewrite scorm-again's answer. */
  var CORRECTIONS = [
    {
      id: "scorm12-identifier-whitespace",
      version: "1.2",
      method: "LMSSetValue",
      source: "ADL SCORM 1.2 CTS DataModelValidator.checkIdentifier: an identifier with white space is 405",
      before: function (api, element, value) {
        if (IDENTIFIER_ELEMENTS_12.test(element) && NOT_AN_IDENTIFIER.test(String(value))) {
          return {returns: "false", code: 405,
                  diagnostic: "CMIIdentifier values may not contain white space or control characters"};
        }
        return null;
      },
    },
    {
      id: "scorm12-unknown-leaf-in-known-category",
      version: "1.2",
      method: "LMSGetValue",
      source: "ADL SCORM 1.2 CTS CMICategory: an unknown element of a known category is 201, of an unknown category 401",
      after: function (api, element, returned, code) {
        if (code !== "401") return null;
        var cut = element.lastIndexOf(".");
        var children = cut > 0 ? childrenOf(api, element.slice(0, cut)) : null;
        if (children && children.indexOf(element.slice(cut + 1)) < 0) {
          return {returns: "", code: 201,
                  diagnostic: "'" + element.slice(cut + 1) + "' is not an element of " + element.slice(0, cut)};
        }
        return null;
      },
    },
  ];

  /* The data model's own `_children` list for a category path, or null. */
  function childrenOf(api, path) {
    var segments = path.split(".");
    if (segments[0] !== "cmi") return null;
    var node = api.cmi;
    var collection = null;
    for (var i = 1; i < segments.length && node; i++) {
      if (/^\d+$/.test(segments[i])) {
        collection = node;
        node = node.childArray ? node.childArray[parseInt(segments[i], 10)] : undefined;
        if (!node) node = collection;  // a row not yet created answers with its collection's children
      } else {
        collection = null;
        node = typeof node === "object" ? node[segments[i]] : undefined;
      }
    }
    var listed = node && typeof node._children === "string" ? node._children
      : collection && typeof collection._children === "string" ? collection._children : null;
    return listed ? listed.split(",") : null;
  }

  function live(api) {
    return api.isInitialized() && !api.isTerminated();
  }

  function wrap(api, correction) {
    var original = api[correction.method];
    api[correction.method] = function (element, value) {
      element = String(element);
      if (correction.before && live(api)) {
        var early = correction.before(api, element, value);
        if (early) {
          api.throwSCORMError(element, early.code, early.diagnostic);
          return early.returns;
        }
      }
      var returned = original.apply(this, arguments);
      if (correction.after && live(api)) {
        var late = correction.after(api, element, returned, String(api.lastErrorCode));
        if (late) {
          api.throwSCORMError(element, late.code, late.diagnostic);
          return late.returns;
        }
      }
      return returned;
    };
  }

  ns.CORRECTIONS = CORRECTIONS;
  ns.applyCorrections = function (api, version) {
    CORRECTIONS.forEach(function (correction) {
      if (correction.version === version) wrap(api, correction);
    });
    return api;
  };
})(window.ScormProxy = window.ScormProxy || {});
