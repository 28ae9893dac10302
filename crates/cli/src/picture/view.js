// relgraph picture viewer: pan, zoom, drag nodes, hover shows properties.
// Inlined into the HTML page by crates/cli/src/picture/html.rs; the edge
// geometry below repeats `edge` in svg.rs (change both together). Writes
// its state into <body data-status>: "ready", or "error: ..." on any error.
(function () {
  "use strict";
  var body = document.body;
  function fail(message) {
    body.setAttribute("data-status", "error: " + message);
  }
  window.addEventListener("error", function (e) {
    fail(e.message || String(e));
  });
  window.addEventListener("unhandledrejection", function (e) {
    fail(String(e.reason));
  });

  try {
    var data = JSON.parse(document.getElementById("picture-data").textContent);
    var svg = document.getElementById("picture");
    var viewport = svg.getElementById("viewport");
    var tip = document.getElementById("tip");
    var RADIUS = Number(svg.getAttribute("data-radius"));
    var BEND = Number(svg.getAttribute("data-bend"));

    // Browsers would show the <title> tooltips as well as ours.
    Array.prototype.slice.call(viewport.querySelectorAll("title")).forEach(function (t) {
      t.parentNode.removeChild(t);
    });

    // Node positions, and the relationships at each node.
    var nodes = {};
    Array.prototype.forEach.call(viewport.querySelectorAll("g.node"), function (g) {
      var m = /translate\(([-\d.]+) ([-\d.]+)\)/.exec(g.getAttribute("transform"));
      nodes[g.getAttribute("data-id")] = { g: g, x: Number(m[1]), y: Number(m[2]), rels: [] };
    });
    var rels = [];
    Array.prototype.forEach.call(viewport.querySelectorAll("g.rel"), function (g) {
      var r = {
        g: g,
        path: g.querySelector("path"),
        text: g.querySelector("text"),
        from: nodes[g.getAttribute("data-from")],
        to: nodes[g.getAttribute("data-to")],
        bend: Number(g.getAttribute("data-bend"))
      };
      if (!r.from || !r.to) {
        throw new Error("relationship " + g.getAttribute("data-id") + " has no drawn end");
      }
      r.from.rels.push(r);
      if (r.to !== r.from) {
        r.to.rels.push(r);
      }
      rels.push(r);
    });

    function toward(from, to, by) {
      var ux = to.x - from.x, uy = to.y - from.y;
      var l = Math.max(Math.sqrt(ux * ux + uy * uy), 1e-6);
      return { x: from.x + ux / l * by, y: from.y + uy / l * by };
    }
    function f(v) {
      return v.toFixed(1);
    }
    function redraw(r) {
      var p = r.from, q = r.to, d, lx, ly;
      if (p === q) {
        var size = 26 + BEND * Math.abs(r.bend);
        var top = p.y - RADIUS - 1.6 * size;
        d = "M" + f(p.x - 0.5 * RADIUS) + "," + f(p.y - 0.866 * RADIUS) +
          "C" + f(p.x - size) + "," + f(top) + " " + f(p.x + size) + "," + f(top) +
          " " + f(p.x + 0.5 * RADIUS) + "," + f(p.y - 0.866 * RADIUS);
        lx = p.x;
        ly = top + 0.25 * size - 3;
      } else {
        var dx = q.x - p.x, dy = q.y - p.y;
        var len = Math.max(Math.sqrt(dx * dx + dy * dy), 1e-6);
        var c = {
          x: (p.x + q.x) / 2 - dy / len * r.bend * BEND,
          y: (p.y + q.y) / 2 + dx / len * r.bend * BEND
        };
        var s = toward(p, c, RADIUS), e = toward(q, c, RADIUS);
        d = r.bend === 0
          ? "M" + f(s.x) + "," + f(s.y) + "L" + f(e.x) + "," + f(e.y)
          : "M" + f(s.x) + "," + f(s.y) + "Q" + f(c.x) + "," + f(c.y) + " " + f(e.x) + "," + f(e.y);
        lx = (s.x + 2 * c.x + e.x) / 4;
        ly = (s.y + 2 * c.y + e.y) / 4 - 3;
      }
      r.path.setAttribute("d", d);
      r.text.setAttribute("x", f(lx));
      r.text.setAttribute("y", f(ly));
    }
    rels.forEach(redraw);

    // The view: viewport = translate(tx, ty) scale(k), in the SVG's units.
    var view = { tx: 0, ty: 0, k: 1 };
    function applyView() {
      viewport.setAttribute("transform",
        "translate(" + view.tx + " " + view.ty + ") scale(" + view.k + ")");
    }
    // A pointer event's position in the SVG's units (outside the viewport).
    function svgPoint(e) {
      var pt = svg.createSVGPoint();
      pt.x = e.clientX;
      pt.y = e.clientY;
      var m = svg.getScreenCTM();
      return m ? pt.matrixTransform(m.inverse()) : pt;
    }

    var drag = null;
    svg.addEventListener("pointerdown", function (e) {
      var g = e.target.closest ? e.target.closest("g.node") : null;
      var at = svgPoint(e);
      if (g) {
        var n = nodes[g.getAttribute("data-id")];
        drag = { node: n, dx: n.x - (at.x - view.tx) / view.k, dy: n.y - (at.y - view.ty) / view.k };
      } else {
        drag = { pan: true, x: at.x - view.tx, y: at.y - view.ty };
      }
      try {
        // Keeps the drag when the pointer leaves the picture; a pointer the
        // browser does not track (a synthetic event) cannot be captured.
        svg.setPointerCapture(e.pointerId);
      } catch (ignored) {
        // The drag still works while the pointer stays over the picture.
      }
      e.preventDefault();
    });
    svg.addEventListener("pointermove", function (e) {
      if (!drag) {
        return;
      }
      var at = svgPoint(e);
      if (drag.pan) {
        view.tx = at.x - drag.x;
        view.ty = at.y - drag.y;
        applyView();
      } else {
        var n = drag.node;
        n.x = (at.x - view.tx) / view.k + drag.dx;
        n.y = (at.y - view.ty) / view.k + drag.dy;
        n.g.setAttribute("transform", "translate(" + f(n.x) + " " + f(n.y) + ")");
        n.rels.forEach(redraw);
      }
    });
    function endDrag(e) {
      if (drag) {
        drag = null;
        if (svg.hasPointerCapture(e.pointerId)) {
          svg.releasePointerCapture(e.pointerId);
        }
      }
    }
    svg.addEventListener("pointerup", endDrag);
    svg.addEventListener("pointercancel", endDrag);
    svg.addEventListener("wheel", function (e) {
      e.preventDefault();
      var at = svgPoint(e);
      var k = Math.min(8, Math.max(0.1, view.k * Math.exp(-e.deltaY * 0.0015)));
      // Keep the point under the cursor where it is.
      view.tx = at.x - (at.x - view.tx) * k / view.k;
      view.ty = at.y - (at.y - view.ty) * k / view.k;
      view.k = k;
      applyView();
    }, { passive: false });
    svg.addEventListener("dblclick", function () {
      view = { tx: 0, ty: 0, k: 1 };
      applyView();
    });

    // Tooltips: the entity's labels or type, id and properties, as text.
    function describe(kind, id) {
      var v = kind === "node" ? data.nodes[id] : data.relationships[id];
      if (!v) {
        return null;
      }
      var head;
      if (kind === "node") {
        head = v.placeholder
          ? "node " + id + " (not in the result, and not readable now)"
          : (v.labels.length ? ":" + v.labels.join(":") + " " : "") + "node " + id;
      } else {
        head = ":" + v.type + " relationship " + id + " (" + v.start + " \u2192 " + v.end + ")";
      }
      var lines = Object.keys(v.properties).sort().map(function (key) {
        var value = v.properties[key];
        return key + ": " + (typeof value === "string" ? value : JSON.stringify(value));
      });
      return { head: head, lines: lines };
    }
    function showTip(e) {
      var g = e.target.closest ? e.target.closest("g.node, g.rel") : null;
      if (!g || drag) {
        tip.style.display = "none";
        return;
      }
      var d = describe(g.classList.contains("node") ? "node" : "rel", g.getAttribute("data-id"));
      if (!d) {
        tip.style.display = "none";
        return;
      }
      tip.textContent = "";
      var b = document.createElement("b");
      b.textContent = d.head;
      tip.appendChild(b);
      tip.appendChild(document.createTextNode(d.lines.length ? d.lines.join("\n") : "(no properties)"));
      tip.style.display = "block";
      tip.style.left = Math.min(e.clientX + 14, window.innerWidth - tip.offsetWidth - 4) + "px";
      tip.style.top = Math.min(e.clientY + 14, window.innerHeight - tip.offsetHeight - 4) + "px";
    }
    svg.addEventListener("pointermove", showTip);
    svg.addEventListener("pointerleave", function () {
      tip.style.display = "none";
    });

    if (!body.getAttribute("data-status").startsWith("error")) {
      body.setAttribute("data-status", "ready");
    }
  } catch (err) {
    fail(err && err.message ? err.message : String(err));
  }
})();
