// The chat page: posts new messages and long-polls for everyone's, with fetch and nothing else
// (no library, nothing loaded from outside the server).
"use strict";

(function () {
  const form = document.getElementById("messageform");
  const input = document.getElementById("message");
  const inbox = document.getElementById("inbox");

  // The XSRF token the server put in the form; it must go with every POST.
  function xsrf() {
    return form.elements["_xsrf"].value;
  }

  function post(url, args) {
    return fetch(url, {
      method: "POST",
      body: args,
      credentials: "same-origin",
      headers: { "Accept": "application/json" },
    }).then(function (response) {
      if (!response.ok) {
        throw new Error(url + ": HTTP " + response.status);
      }
      return response.json();
    });
  }

  function sleep(ms) {
    return new Promise(function (resolve) {
      setTimeout(resolve, ms);
    });
  }

  // Adds a message unless the page shows it already (our own post and the poll both bring it).
  function showMessage(message) {
    if (document.getElementById("m" + message.id)) {
      return;
    }
    const template = document.createElement("template");
    template.innerHTML = message.html.trim(); // rendered and escaped by the server
    const node = template.content.firstElementChild;
    if (!node) {
      return;
    }
    node.classList.add("new");
    inbox.appendChild(node);
    node.scrollIntoView({ block: "end" });
  }

  // Posting: the form's fields as a url-encoded body, without "next" so the answer is JSON.
  function newMessage() {
    if (input.value.trim() === "") {
      return;
    }
    const args = new URLSearchParams(new FormData(form));
    args.delete("next");
    const controls = Array.from(form.querySelectorAll("input"));
    controls.forEach(function (c) { c.disabled = true; });
    post("/a/message/new", args)
      .then(function (message) {
        showMessage(message);
        input.value = "";
      })
      .catch(function (error) {
        console.error("could not post the message:", error);
      })
      .finally(function () {
        controls.forEach(function (c) { c.disabled = false; });
        input.focus();
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    newMessage();
  });

  // The long poll: asks for the messages after the cursor, which the server answers when there
  // are some; on errors waits, twice as long each time, then asks again.
  const updater = {
    cursor: null,
    errorSleepTime: 500,

    start: function () {
      const shown = inbox.querySelectorAll(".message");
      if (shown.length > 0) {
        updater.cursor = shown[shown.length - 1].id.substring(1);
      }
      updater.loop();
    },

    loop: async function () {
      for (;;) {
        const args = new URLSearchParams();
        args.set("_xsrf", xsrf());
        if (updater.cursor) {
          args.set("cursor", updater.cursor);
        }
        try {
          const response = await post("/a/message/updates", args);
          updater.errorSleepTime = 500;
          updater.newMessages(response);
        } catch (error) {
          updater.errorSleepTime = Math.min(updater.errorSleepTime * 2, 60000);
          console.log("poll error; sleeping for", updater.errorSleepTime, "ms:", error);
          await sleep(updater.errorSleepTime);
        }
      }
    },

    newMessages: function (response) {
      const messages = (response && response.messages) || [];
      if (messages.length === 0) {
        return;
      }
      updater.cursor = messages[messages.length - 1].id;
      messages.forEach(showMessage);
    },
  };

  input.select();
  updater.start();
})();
