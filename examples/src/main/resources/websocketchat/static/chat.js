// The websocket chat page: sends what is typed as {"body": ...} and shows every message the
// server broadcasts, with the browser's WebSocket and nothing else (no library, nothing loaded
// from outside the server).
"use strict";

(function () {
  const form = document.getElementById("messageform");
  const input = document.getElementById("message");
  const inbox = document.getElementById("inbox");
  const status = document.getElementById("status");

  const scheme = location.protocol === "https:" ? "wss://" : "ws://";
  const socket = new WebSocket(scheme + location.host + "/chatsocket");

  // Adds a message, as the server rendered (and escaped) it from message.html.
  function showMessage(message) {
    if (document.getElementById("m" + message.id)) {
      return;
    }
    const template = document.createElement("template");
    template.innerHTML = message.html.trim();
    const node = template.content.firstElementChild;
    if (!node) {
      return;
    }
    node.classList.add("new");
    inbox.appendChild(node);
    node.scrollIntoView({ block: "end" });
  }

  socket.addEventListener("open", function () {
    status.textContent = "";
    form.dataset.connected = "true";
  });

  socket.addEventListener("message", function (event) {
    showMessage(JSON.parse(event.data));
  });

  socket.addEventListener("close", function (event) {
    delete form.dataset.connected;
    status.textContent = "Disconnected (" + event.code + "); reload the page to chat again.";
    console.log("websocket closed:", event.code, event.reason);
  });

  // Sends the typed text; the message comes back through the socket like everyone else's.
  function newMessage() {
    const body = input.value;
    if (body.trim() === "") {
      return;
    }
    const send = function () {
      socket.send(JSON.stringify({ body: body }));
    };
    if (socket.readyState === WebSocket.OPEN) {
      send();
    } else if (socket.readyState === WebSocket.CONNECTING) {
      socket.addEventListener("open", send, { once: true });
    } else {
      return; // closed: keep the text in the box
    }
    input.value = "";
    input.focus();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    newMessage();
  });

  input.select();
})();
