// Small progressive enhancements; the portal works without JavaScript.
document.addEventListener("htmx:configRequest", (event) => {
  const token = document.querySelector("meta[name=csrf-token]")?.content
    || (document.cookie.match(/csrftoken=([^;]+)/) || [])[1];
  if (token) event.detail.headers["X-CSRFToken"] = token;
});
