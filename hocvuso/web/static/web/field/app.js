/* Học Vụ Số — the field app of the community digital teams (/thuc-dia/), offline first.

   The phone keeps, in IndexedDB (the vendored idb, window.idb): its device token, the worklist as last downloaded
   (with its ETag) and the outbox of visits recorded on it. Each visit gets a UUID and the form version when it is
   recorded and stays in the outbox until the server's result for it is 201 (new) or 200 (already there); a 409 (the
   same UUID stored with other content) or a 400/404 is kept and shown. Sending is retried with exponential backoff
   and at every return of the network. Everything is wiped at sign-out, after `expire_days` without contact with the
   server, and when the API answers 401/403 (a revoked or expired device).

   An instructor's phone also keeps the sessions of the classes they run (yesterday to a week ahead, with the people
   who came before, masked) and takes attendance at one without the network: a known attendee ticked, a learner
   card's QR text (HVS1:…, read by the camera through web/qrscan.js, or typed by a scanner), or a walk-in with the minimum the
   registry needs; online, a registry search too. Each attendance is an outbox item with its own UUID, sent to the
   attendance endpoint with the same rules as visits (results by position: a person already present answers with
   the first record's id).

   The same file serves the registration page (/thuc-dia/dang-ky/), where a signed-in member obtains the token. The
   sentences come translated from the page (json_script "field-settings"). */
(function () {
  "use strict";

  var settingsNode = document.getElementById("field-settings");
  if (!settingsNode || !window.idb) {
    return;
  }
  var S = JSON.parse(settingsNode.textContent);
  var M = S.messages;
  var DB_NAME = "hocvuso-field";
  var DAY = 24 * 60 * 60 * 1000;
  var MAX_BATCH = 500;
  var FIRST_RETRY = 2000;
  var LAST_RETRY = 5 * 60 * 1000;
  var LARGE_TEXT_KEY = "hocvuso-field-large-text";

  var dbPromise = null;
  var gone = false; // wiped in this page: nothing may open the store again (it would come back empty)
  var syncing = false;
  var retryDelay = 0;
  var retryTimer = null;

  function format(text, values) {
    return text.replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  function byId(id) {
    return document.getElementById(id);
  }

  function say(text) {
    var node = byId("status") || byId("register-status");
    if (node) {
      node.textContent = text;
    }
  }

  // --- The store ------------------------------------------------------------------------------------------------

  function db() {
    if (!dbPromise) {
      dbPromise = window.idb.openDB(DB_NAME, 1, {
        upgrade: function (database) {
          database.createObjectStore("meta");
          database.createObjectStore("outbox", { keyPath: "id" });
        },
        blocking: function () {
          // another tab deletes the store (a wipe): let it
          closeStore();
        },
      });
    }
    return dbPromise;
  }

  function closeStore() {
    if (dbPromise) {
      var closing = dbPromise;
      dbPromise = null;
      return closing.then(function (database) {
        database.close();
      });
    }
    return Promise.resolve();
  }

  async function getMeta(key) {
    return (await db()).get("meta", key);
  }

  async function setMeta(key, value) {
    return (await db()).put("meta", value, key);
  }

  async function outbox() {
    return (await db()).getAll("outbox");
  }

  async function wipe() {
    await closeStore();
    await window.idb.deleteDB(DB_NAME);
  }

  // --- The API --------------------------------------------------------------------------------------------------

  function Wiped() {}

  function RetryLater(seconds) {
    this.seconds = seconds;
  }

  async function api(url, options) {
    var device = await getMeta("device");
    if (!device) {
      throw new Wiped();
    }
    var headers = Object.assign(
      // the API's messages (a conflict's) in the page's language, not the phone's
      {
        Authorization: "Device " + device.token,
        Accept: "application/json",
        "Accept-Language": document.documentElement.lang || "vi",
      },
      options.headers || {}
    );
    if (options.body) {
      headers["Content-Type"] = "application/json";
    }
    // No cookie: the device token alone speaks for the phone (a session would ask for a CSRF token).
    var response = await fetch(url, {
      method: options.method || "GET",
      headers: headers,
      body: options.body,
      credentials: "omit",
      cache: "no-store",
    });
    if (response.status === 401 || response.status === 403) {
      await wipe();
      showSignedOut(M.wiped_revoked);
      throw new Wiped();
    }
    if (response.status < 500 && response.status !== 429) {
      await setMeta("last_contact", Date.now());
    }
    return response;
  }

  // --- The worklist ---------------------------------------------------------------------------------------------

  async function download() {
    if (gone) {
      return;
    }
    var owner = await getMeta("device");
    if (owner && owner.kind === "class") {
      return; // an instructor's class-only phone has no worklist (the server answers it 404)
    }
    say(M.downloading);
    try {
      var etag = await getMeta("etag");
      var response = await api(S.api.worklist, { headers: etag ? { "If-None-Match": etag } : {} });
      if (response.status === 304) {
        say(M.unchanged);
        return;
      }
      if (response.status !== 200) {
        say(M.download_failed);
        return;
      }
      var worklist = await response.json();
      await setMeta("worklist", worklist);
      await setMeta("etag", response.headers.get("ETag"));
      say(format(M.downloaded, { count: worklist.households.length }));
      await render();
    } catch (error) {
      if (!(error instanceof Wiped)) {
        say(M.download_failed);
      }
    }
  }

  // --- Sending visits -------------------------------------------------------------------------------------------

  function retryAfter(response) {
    var seconds = parseInt(response.headers.get("Retry-After") || "", 10);
    return isNaN(seconds) ? null : seconds;
  }

  // Send the items of one kind in batches; their results come in order, one per item (an attendance of a person
  // already present answers with the first record's id, so results are matched by position). Returns how many the
  // server holds now; a 409 or a 400/404 is kept on the phone with the server's message.
  async function send(url, key, items) {
    var accepted = 0;
    for (var start = 0; start < items.length; start += MAX_BATCH) {
      var batch = items.slice(start, start + MAX_BATCH);
      var body = {};
      body[key] = batch.map(function (item) {
        return item.kind === "attendance" ? item.attendance : item.visit;
      });
      var response = await api(url, { method: "POST", body: JSON.stringify(body) });
      if (response.status !== 200) {
        throw new RetryLater(retryAfter(response));
      }
      var results = (await response.json()).results;
      var tx = (await db()).transaction("outbox", "readwrite");
      for (var index = 0; index < results.length && index < batch.length; index += 1) {
        var result = results[index];
        if (result.status === 200 || result.status === 201) {
          await tx.store.delete(batch[index].id);
          accepted += 1;
        } else {
          var item = await tx.store.get(batch[index].id);
          if (item) {
            item.state = result.status === 409 ? "conflict" : "rejected";
            item.detail = result.detail;
            await tx.store.put(item);
          }
        }
      }
      await tx.done;
    }
    return accepted;
  }

  async function sync(quiet) {
    if (syncing || gone) {
      return;
    }
    syncing = true;
    window.clearTimeout(retryTimer);
    retryTimer = null;
    try {
      var pending = (await outbox()).filter(function (item) {
        return item.state === "pending";
      });
      if (!pending.length) {
        if (!quiet) {
          say(M.nothing_to_send);
        }
        return;
      }
      say(M.syncing);
      var visits = pending.filter(function (item) {
        return item.kind !== "attendance";
      });
      var attendances = pending.filter(function (item) {
        return item.kind === "attendance";
      });
      var accepted = await send(S.api.visits, "visits", visits);
      var present = await send(S.api.attendances, "attendances", attendances);
      retryDelay = 0;
      say(
        attendances.length
          ? format(M.synced_attendances, { visits: accepted, attendances: present })
          : format(M.synced, { count: accepted })
      );
      if (attendances.length) {
        await downloadSessions(true);
      }
    } catch (error) {
      if (error instanceof Wiped) {
        return;
      }
      // No network, a lost answer, the server busy: everything stays in the outbox; try again later.
      retryDelay = Math.min(Math.max(retryDelay * 2, FIRST_RETRY), LAST_RETRY);
      var wait = error instanceof RetryLater && error.seconds ? error.seconds * 1000 : retryDelay;
      wait = Math.round(wait * (0.75 + Math.random() / 2));
      say(format(M.retry, { seconds: Math.ceil(wait / 1000) }));
      retryTimer = window.setTimeout(function () {
        sync(true);
      }, wait);
    } finally {
      syncing = false;
      if (byId("worklist") && !byId("worklist").hidden) {
        await renderOutbox();
      }
      if (takingSession && byId("session") && !byId("session").hidden) {
        await renderSession();
      }
    }
  }

  // --- Recording a visit ----------------------------------------------------------------------------------------

  function newId() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map
      .call(bytes, function (byte) {
        return (byte + 0x100).toString(16).slice(1);
      })
      .join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  var visiting = null;

  function householdLabel(household) {
    return format(M.household, { code: household.code, village: household.village_code });
  }

  function openVisit(household) {
    visiting = household;
    byId("visit-household").textContent =
      householdLabel(household) + (household.head_name ? " · " + format(M.head, { name: household.head_name }) : "");
    var people = byId("visit-people");
    people.textContent = "";
    var template = byId("person-template");
    household.people.forEach(function (person) {
      var node = template.content.firstElementChild.cloneNode(true);
      var prefix = "person-" + person.id;
      node.dataset.resident = person.id;
      node.querySelector("[data-name]").textContent =
        person.full_name + ", " + format(M.born, { year: person.birth_year }) + " · " + person.masked_national_id;
      var select = node.querySelector("[data-presence]");
      select.id = prefix + "-presence";
      node.querySelector("[data-presence-label]").htmlFor = select.id;
      S.absent_outcomes.forEach(function (outcome) {
        var option = document.createElement("option");
        option.value = outcome.value;
        option.textContent = outcome.label;
        select.appendChild(option);
      });
      var actions = node.querySelector("[data-actions]");
      S.action_outcomes.forEach(function (outcome) {
        var row = document.createElement("div");
        row.className = "check";
        var box = document.createElement("input");
        box.type = "checkbox";
        box.value = outcome.value;
        box.id = prefix + "-" + outcome.value;
        var label = document.createElement("label");
        label.htmlFor = box.id;
        label.textContent = outcome.label;
        row.appendChild(box);
        row.appendChild(label);
        actions.appendChild(row);
      });
      select.addEventListener("change", function () {
        // refused, not at home, moved away, deceased: nothing else for this person
        actions.disabled = select.value !== "present";
      });
      people.appendChild(node);
    });
    byId("visit-note").value = "";
    show("visit");
    byId("visit-title").focus();
  }

  async function saveVisit(event) {
    event.preventDefault();
    if (!visiting) {
      return;
    }
    var outcomes = [];
    byId("visit-people")
      .querySelectorAll("fieldset.person")
      .forEach(function (node) {
        var resident = parseInt(node.dataset.resident, 10);
        var presence = node.querySelector("[data-presence]").value;
        if (presence !== "present") {
          outcomes.push({ resident: resident, outcome: presence });
          return;
        }
        node.querySelectorAll("[data-actions] input:checked").forEach(function (box) {
          outcomes.push({ resident: resident, outcome: box.value });
        });
      });
    var worklist = (await getMeta("worklist")) || {};
    var visit = {
      id: newId(),
      form_version: worklist.form_version || S.form_version,
      household: visiting.id,
      visited_at: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
      note: byId("visit-note").value.trim(),
      outcomes: outcomes,
    };
    await (await db()).put("outbox", {
      id: visit.id,
      state: "pending",
      visit: visit,
      label: householdLabel(visiting),
      recorded_at: Date.now(),
    });
    visiting = null;
    show("worklist");
    await render();
    say(M.saved);
    byId("worklist-title").focus();
    if (navigator.onLine) {
      sync(true);
    }
  }

  // --- Community classes: an instructor's sessions and attendance ----------------------------------------------

  var takingSession = null; // the id of the session whose attendance is open
  var ZERO_ID = "00000000-0000-0000-0000-000000000000";

  function pad(number) {
    return (number < 10 ? "0" : "") + number;
  }

  function todayIso() {
    var now = new Date();
    return now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
  }

  function dayText(iso) {
    var parts = String(iso).split("-");
    return parts.length === 3 ? parts[2] + "/" + parts[1] + "/" + parts[0] : String(iso);
  }

  function sessionLabel(session) {
    return format(M.session_label, { title: session.title, day: dayText(session.day) });
  }

  async function downloadSessions(quiet) {
    if (gone) {
      return;
    }
    try {
      var etag = await getMeta("sessions_etag");
      var response = await api(S.api.sessions, { headers: etag ? { "If-None-Match": etag } : {} });
      if (response.status === 304) {
        if (!quiet) {
          say(M.sessions_unchanged);
        }
        return;
      }
      if (response.status === 404) {
        // not an instructor: the app shows no classes
        await setMeta("sessions", null);
        await renderSessions();
        return;
      }
      if (response.status !== 200) {
        if (!quiet) {
          say(M.sessions_failed);
        }
        return;
      }
      var data = await response.json();
      await setMeta("sessions", data);
      await setMeta("sessions_etag", response.headers.get("ETag"));
      if (!quiet) {
        say(format(M.sessions_downloaded, { count: data.sessions.length }));
      }
      await renderSessions();
      if (takingSession && !byId("session").hidden) {
        await renderSession();
      }
    } catch (error) {
      if (!(error instanceof Wiped) && !quiet) {
        say(M.sessions_failed);
      }
    }
  }

  async function keptSessions() {
    var data = await getMeta("sessions");
    return data ? data.sessions : null;
  }

  async function renderSessions() {
    var sessions = await keptSessions();
    var section = byId("classes");
    section.hidden = sessions === null;
    if (sessions === null) {
      return;
    }
    var list = byId("sessions");
    list.textContent = "";
    if (!sessions.length) {
      var empty = document.createElement("li");
      empty.textContent = M.no_sessions;
      list.appendChild(empty);
    }
    sessions.forEach(function (session) {
      var entry = document.createElement("li");
      entry.className = "household class-session";
      entry.dataset.session = session.id;
      var title = document.createElement("h3");
      title.textContent = sessionLabel(session);
      var when = document.createElement("p");
      when.textContent = format(M.session_when, {
        day: dayText(session.day),
        time: session.starts_at,
        place: session.place,
        commune: session.commune_name,
      });
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button";
      button.textContent = M.take_attendance;
      button.setAttribute("aria-label", M.take_attendance + ": " + sessionLabel(session));
      button.addEventListener("click", function () {
        openSession(session.id);
      });
      entry.appendChild(title);
      entry.appendChild(when);
      entry.appendChild(button);
      list.appendChild(entry);
    });
  }

  function fillSelect(select, options, selected) {
    select.textContent = "";
    options.forEach(function (option) {
      var node = document.createElement("option");
      node.value = String(option.value);
      node.textContent = option.label;
      select.appendChild(node);
    });
    if (selected !== undefined) {
      select.value = String(selected);
    }
  }

  async function openSession(sessionId) {
    takingSession = sessionId;
    var session = await currentSession();
    if (!session) {
      return;
    }
    fillSelect(byId("walk-in-sex"), S.sexes);
    fillSelect(byId("walk-in-ethnicity"), S.ethnicities, 1);
    fillSelect(
      byId("walk-in-village"),
      session.villages.map(function (village) {
        return { value: village.code, label: village.name };
      })
    );
    byId("search-results").textContent = "";
    byId("card-text").value = "";
    show("session");
    await renderSession();
    byId("session-title").focus();
  }

  async function currentSession() {
    var sessions = (await keptSessions()) || [];
    return (
      sessions.filter(function (session) {
        return session.id === takingSession;
      })[0] || null
    );
  }

  async function sessionItems(sessionId) {
    return (await outbox()).filter(function (item) {
      return item.kind === "attendance" && item.session === sessionId;
    });
  }

  function stateText(item) {
    if (item.state === "pending") {
      return M.state_pending;
    }
    return (item.state === "conflict" ? M.conflict : M.rejected) + (item.detail ? ": " + item.detail : "");
  }

  async function renderSession() {
    var session = await currentSession();
    if (!session) {
      return;
    }
    var items = await sessionItems(session.id);
    var pending = items.filter(function (item) {
      return item.state === "pending";
    });
    byId("session-what").textContent = sessionLabel(session);
    byId("session-when").textContent = format(M.session_when, {
      day: dayText(session.day),
      time: session.starts_at,
      place: session.place,
      commune: session.commune_name,
    });
    byId("session-code").textContent = session.check_in_code;
    byId("session-count").textContent = format(M.session_present, {
      count: session.present + pending.length,
      pending: pending.length,
    });
    var open = session.day <= todayIso();
    byId("session-closed").hidden = open;
    byId("session-closed").textContent = open ? "" : M.session_not_started;
    byId("session-take").hidden = !open;

    var waiting = {};
    pending.forEach(function (item) {
      if (item.attendance.resident) {
        waiting[item.attendance.resident] = item;
      }
    });
    var box = byId("session-attendees");
    box.textContent = "";
    byId("session-no-attendees").hidden = session.attendees.length > 0;
    session.attendees.forEach(function (person) {
      var row = document.createElement("div");
      row.className = "check";
      var input = document.createElement("input");
      input.type = "checkbox";
      input.id = "attendee-" + person.id;
      input.checked = person.present || Boolean(waiting[person.id]);
      input.disabled = person.present;
      var label = document.createElement("label");
      label.htmlFor = input.id;
      label.textContent =
        person.full_name +
        ", " +
        format(M.born, { year: person.birth_year }) +
        (person.masked_national_id ? " · " + person.masked_national_id : "");
      input.addEventListener("change", async function () {
        if (input.checked) {
          var already = (await sessionItems(session.id)).some(function (item) {
            return item.attendance.resident === person.id && item.state === "pending";
          });
          if (!already) {
            await addAttendance(session, { method: "registry", resident: person.id }, person.full_name);
          }
        } else if (waiting[person.id]) {
          await (await db()).delete("outbox", waiting[person.id].id);
          say(format(M.attendance_removed, { name: person.full_name }));
          await renderSession();
        }
      });
      row.appendChild(input);
      row.appendChild(label);
      box.appendChild(row);
    });

    var list = byId("session-records");
    list.textContent = "";
    byId("session-kept").hidden = items.length === 0;
    items.forEach(function (item) {
      var entry = document.createElement("li");
      entry.dataset.state = item.state;
      var title = document.createElement("strong");
      title.textContent = item.name;
      var detail = document.createElement("p");
      detail.textContent = stateText(item);
      entry.appendChild(title);
      entry.appendChild(detail);
      if (item.state !== "pending") {
        var discard = document.createElement("button");
        discard.type = "button";
        discard.className = "button button-light";
        discard.textContent = M.discard;
        discard.setAttribute("aria-label", M.discard + ": " + item.name);
        discard.addEventListener("click", async function () {
          await (await db()).delete("outbox", item.id);
          await renderSession();
          byId("session-title").focus();
        });
        entry.appendChild(discard);
      }
      list.appendChild(entry);
    });
  }

  async function addAttendance(session, fields, name) {
    var attendance = Object.assign(
      {
        id: newId(),
        session: session.id,
        recorded_at: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
      },
      fields
    );
    await (await db()).put("outbox", {
      id: attendance.id,
      kind: "attendance",
      state: "pending",
      session: session.id,
      attendance: attendance,
      name: name,
      label: name + " · " + sessionLabel(session),
      recorded_at: Date.now(),
    });
    say(format(M.attendance_saved, { name: name }));
    await renderSession();
    if (navigator.onLine) {
      sync(true);
    }
  }

  async function saveCard(event) {
    event.preventDefault();
    // Read and clear the field before anything waits: a scanner (or a quick hand) may put the next card in it.
    var field = byId("card-text");
    var text = field.value.trim();
    if (text.indexOf(S.card_prefix) !== 0 || text.length > 200 || text.length <= S.card_prefix.length) {
      say(M.card_invalid);
      field.focus();
      return;
    }
    field.value = "";
    var session = await currentSession();
    if (!session) {
      return;
    }
    var again = (await sessionItems(session.id)).some(function (item) {
      return item.attendance.card === text && item.state === "pending";
    });
    if (again) {
      say(M.card_duplicate);
      return;
    }
    await addAttendance(session, { method: "card", card: text }, format(M.card_holder, { end: text.slice(-6) }));
  }

  async function saveWalkIn(event) {
    event.preventDefault();
    // Everything is read before anything waits (the form may be filled again meanwhile).
    var name = byId("walk-in-name").value.replace(/\s+/g, " ").trim();
    var year = byId("walk-in-year").value.trim();
    var village = byId("walk-in-village").value;
    if (name.length < 2 || !/^\d{4}$/.test(year) || !village) {
      say(M.walk_in_invalid);
      byId(name.length < 2 ? "walk-in-name" : !/^\d{4}$/.test(year) ? "walk-in-year" : "walk-in-village").focus();
      return;
    }
    var walkIn = {
      full_name: name,
      birth_year: parseInt(year, 10),
      sex: byId("walk-in-sex").value,
      ethnicity: parseInt(byId("walk-in-ethnicity").value, 10),
      village: village,
    };
    byId("walk-in-name").value = "";
    byId("walk-in-year").value = "";
    byId("walk-in-name").focus();
    var session = await currentSession();
    if (!session) {
      return;
    }
    await addAttendance(session, { method: "walk_in", walk_in: walkIn }, format(M.walk_in_label, { name: name, year: year }));
  }

  async function search(event) {
    event.preventDefault();
    var session = await currentSession();
    var query = byId("search-text").value.trim();
    var results = byId("search-results");
    results.textContent = "";
    if (!session) {
      return;
    }
    if (!navigator.onLine) {
      say(M.search_offline);
      return;
    }
    if (query.replace(/\s/g, "").length < 2) {
      say(M.search_short);
      return;
    }
    var people;
    try {
      var response = await api(S.api.session_people.replace(ZERO_ID, session.id) + "?q=" + encodeURIComponent(query), {});
      if (response.status !== 200) {
        say(M.search_failed);
        return;
      }
      people = (await response.json()).people;
    } catch (error) {
      if (!(error instanceof Wiped)) {
        say(M.search_failed);
      }
      return;
    }
    if (!people.length) {
      say(M.search_none);
      return;
    }
    people.forEach(function (person) {
      var entry = document.createElement("li");
      entry.className = "household";
      var who = document.createElement("p");
      who.textContent =
        person.full_name +
        ", " +
        format(M.born, { year: person.birth_year }) +
        (person.masked_national_id ? " · " + person.masked_national_id : "");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button";
      button.textContent = M.mark_present;
      button.setAttribute("aria-label", format(M.mark_present_name, { name: person.full_name }));
      button.addEventListener("click", async function () {
        button.disabled = true; // one tap, one record
        var present = session.attendees.some(function (known) {
          return known.id === person.id && known.present;
        });
        var waiting = (await sessionItems(session.id)).some(function (item) {
          return item.attendance.resident === person.id && item.state === "pending";
        });
        if (present || waiting) {
          say(format(M.already_present, { name: person.full_name }));
          return;
        }
        await addAttendance(session, { method: "registry", resident: person.id }, person.full_name);
      });
      entry.appendChild(who);
      entry.appendChild(button);
      results.appendChild(entry);
    });
  }

  function setupClasses() {
    byId("download-sessions").addEventListener("click", function () {
      downloadSessions(false);
    });
    byId("card-form").addEventListener("submit", saveCard);
    byId("walk-in-form").addEventListener("submit", saveWalkIn);
    byId("search-form").addEventListener("submit", search);
    byId("session-back").addEventListener("click", async function () {
      takingSession = null;
      show("worklist");
      await render();
      byId("classes-title").focus();
    });
  }

  // --- Showing --------------------------------------------------------------------------------------------------

  function show(section) {
    ["signed-out", "worklist", "visit", "session"].forEach(function (id) {
      byId(id).hidden = id !== section;
    });
  }

  function showSignedOut(message) {
    gone = true;
    window.clearTimeout(retryTimer);
    show("signed-out");
    if (message) {
      say(message);
    }
  }

  function showConnection() {
    var node = byId("connection");
    if (node) {
      node.textContent = navigator.onLine ? "" : M.offline;
    }
  }

  async function renderOutbox() {
    var items = await outbox();
    var pending = items.filter(function (item) {
      return item.state === "pending";
    });
    var pendingVisits = pending.filter(function (item) {
      return item.kind !== "attendance";
    });
    byId("outbox-count").textContent = format(M.pending, { count: pendingVisits.length });
    byId("attendance-count").textContent = format(M.attendance_pending, {
      count: pending.length - pendingVisits.length,
    });
    var problems = items.filter(function (item) {
      return item.state !== "pending";
    });
    var list = byId("problem-list");
    list.textContent = "";
    problems.forEach(function (item) {
      var entry = document.createElement("li");
      var title = document.createElement("strong");
      title.textContent =
        (item.state === "conflict" ? M.conflict : M.rejected) +
        ": " +
        (item.kind === "attendance" ? M.attendance + " · " : "") +
        item.label;
      var detail = document.createElement("p");
      detail.textContent = item.detail || "";
      var discard = document.createElement("button");
      discard.type = "button";
      discard.className = "button button-light";
      discard.textContent = M.discard;
      discard.addEventListener("click", async function () {
        await (await db()).delete("outbox", item.id);
        await renderOutbox();
      });
      entry.appendChild(title);
      entry.appendChild(detail);
      entry.appendChild(discard);
      list.appendChild(entry);
    });
    byId("problems").hidden = problems.length === 0;
    return pending;
  }

  async function render() {
    var device = await getMeta("device");
    // a class-only phone (an instructor's) has no team
    byId("device-name").textContent = device ? [device.name, device.team].filter(Boolean).join(" · ") : "";
    var worklist = await getMeta("worklist");
    var list = byId("households");
    list.textContent = "";
    var households = worklist ? worklist.households : [];
    if (!households.length) {
      var empty = document.createElement("li");
      empty.textContent = M.no_households;
      list.appendChild(empty);
    }
    households.forEach(function (household) {
      var entry = document.createElement("li");
      entry.className = "household";
      var title = document.createElement("h3");
      title.textContent = householdLabel(household);
      var where = document.createElement("p");
      where.textContent =
        (household.head_name ? format(M.head, { name: household.head_name }) + " · " : "") +
        (household.last_visit ? format(M.last_visit, { day: household.last_visit }) : M.never_visited);
      var members = document.createElement("p");
      members.textContent = household.people
        .map(function (person) {
          return person.full_name + " (" + person.birth_year + ")";
        })
        .join(", ");
      var needs = document.createElement("ul");
      needs.className = "needs";
      Object.keys(household.needs).forEach(function (need) {
        if (household.needs[need] > 0 && S.needs[need]) {
          var item = document.createElement("li");
          item.textContent = S.needs[need] + (household.needs[need] > 1 ? " (" + household.needs[need] + ")" : "");
          needs.appendChild(item);
        }
      });
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button";
      button.textContent = M.record_visit;
      button.setAttribute("aria-label", M.record_visit + ": " + householdLabel(household));
      button.addEventListener("click", function () {
        openVisit(household);
      });
      entry.appendChild(title);
      entry.appendChild(where);
      entry.appendChild(members);
      entry.appendChild(needs);
      entry.appendChild(button);
      list.appendChild(entry);
    });
    await renderSessions();
    await renderOutbox();
  }

  // --- Large text -----------------------------------------------------------------------------------------------

  function setupLargeText() {
    var button = byId("large-text");
    var apply = function (on) {
      document.documentElement.classList.toggle("large-text", on);
      if (button) {
        button.setAttribute("aria-pressed", on ? "true" : "false");
      }
    };
    var stored = false;
    try {
      stored = window.localStorage.getItem(LARGE_TEXT_KEY) === "1";
    } catch (error) {
      stored = false;
    }
    apply(stored);
    if (button) {
      button.addEventListener("click", function () {
        var on = button.getAttribute("aria-pressed") !== "true";
        apply(on);
        try {
          window.localStorage.setItem(LARGE_TEXT_KEY, on ? "1" : "0");
        } catch (error) {
          // private mode: the choice lasts for this page
        }
      });
    }
  }

  // --- Signing out ----------------------------------------------------------------------------------------------

  async function signOut() {
    var pending = (await outbox()).filter(function (item) {
      return item.state === "pending";
    });
    if (pending.length && !window.confirm(format(M.confirm_sign_out, { count: pending.length }))) {
      return;
    }
    var device = await getMeta("device");
    if (device && navigator.onLine) {
      try {
        // the token is useless once the phone forgets it: end it on the server too
        await api(S.api.revoke, { method: "POST", body: JSON.stringify({ device: device.id }) });
      } catch (error) {
        // no network or already revoked: the phone forgets it all the same
      }
    }
    await wipe();
    showSignedOut(M.signed_out);
  }

  // --- Registration (/thuc-dia/dang-ky/) ------------------------------------------------------------------------

  function setupRegistration(form) {
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      var body = { name: form.elements.name.value };
      if (form.elements.membership && form.elements.membership.value === "class") {
        body.kind = "class"; // an instructor's phone, outside any team: class attendance only
      } else if (form.elements.membership && form.elements.membership.value) {
        body.membership = parseInt(form.elements.membership.value, 10);
      }
      var response;
      try {
        response = await fetch(S.api.devices, {
          method: "POST",
          credentials: "same-origin",
          headers: {
            "Content-Type": "application/json",
            Accept: "application/json",
            "Accept-Language": document.documentElement.lang || "vi",
            "X-CSRFToken": form.elements.csrfmiddlewaretoken.value,
          },
          body: JSON.stringify(body),
        });
      } catch (error) {
        say(format(M.register_failed, { detail: M.offline }));
        return;
      }
      var data = await response.json().catch(function () {
        return {};
      });
      if (response.status !== 201) {
        say(format(M.register_failed, { detail: data.detail || response.status }));
        return;
      }
      await wipe(); // a new registration starts from nothing
      await setMeta("device", {
        token: data.token,
        id: data.id,
        name: data.name,
        team: data.team,
        kind: data.kind,
      });
      await setMeta("last_contact", Date.now());
      say(M.registered);
      window.location.assign(S.app_url);
    });
  }

  async function expired() {
    if (gone) {
      return true;
    }
    var lastContact = (await getMeta("last_contact")) || 0;
    if (Date.now() - lastContact <= S.expire_days * DAY) {
      return false;
    }
    await wipe();
    showSignedOut(format(M.wiped_expired, { days: S.expire_days }));
    return true;
  }

  // --- Start ----------------------------------------------------------------------------------------------------

  async function startApp() {
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(S.service_worker, { scope: S.app_url }).catch(function () {
        // without a worker the app still works while the page is open
      });
    }
    setupLargeText();
    showConnection();
    byId("download").addEventListener("click", download);
    byId("sync").addEventListener("click", function () {
      retryDelay = 0;
      sync(false);
    });
    byId("sign-out").addEventListener("click", signOut);
    setupClasses();
    byId("visit-form").addEventListener("submit", saveVisit);
    byId("visit-cancel").addEventListener("click", function () {
      visiting = null;
      show("worklist");
      byId("worklist-title").focus();
    });
    window.addEventListener("online", async function () {
      showConnection();
      if (gone) {
        return;
      }
      retryDelay = 0;
      // the worklist last: its status line ends the round (and it is the last contact written)
      await sync(true);
      await downloadSessions(true);
      await download();
    });
    window.addEventListener("offline", showConnection);

    var device = await getMeta("device");
    if (!device) {
      await wipe(); // nothing kept without a device
      showSignedOut();
      document.documentElement.dataset.fieldReady = "1";
      return;
    }
    if (await expired()) {
      document.documentElement.dataset.fieldReady = "1";
      return;
    }
    // an app left open for days without the network expires too
    window.setInterval(expired, 60 * 60 * 1000);
    show("worklist");
    await render();
    document.documentElement.dataset.fieldReady = "1";
    if (navigator.onLine) {
      await sync(true);
      await downloadSessions(true);
      await download();
    }
  }

  var registration = byId("register-form");
  if (registration) {
    setupRegistration(registration);
  } else if (document.querySelector("[data-field-app]")) {
    startApp();
  }
})();
