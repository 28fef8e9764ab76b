/** Sign up (nickname + password: the server picks the user id and shows it) or log in. */

import { h, errorText } from "../dom.js";
import { api, logIn, type Session } from "../session.js";

export function authView(onSignedIn: (session: Session) => void): HTMLElement {
  const signupError = h("p", { class: "error", "data-testid": "signup-error" });
  const loginError = h("p", { class: "error", "data-testid": "login-error" });
  const nickname = h("input", { name: "nickname", required: true, maxlength: 64,
                                autocomplete: "nickname", "data-testid": "signup-nickname" });
  const signupPassword = h("input", { name: "password", type: "password", required: true,
                                      minlength: 8, maxlength: 128, autocomplete: "new-password",
                                      "data-testid": "signup-password" });
  const userId = h("input", { name: "account", required: true, inputmode: "numeric",
                                 autocomplete: "username", "data-testid": "login-account" });
  const loginPassword = h("input", { name: "password", type: "password", required: true,
                                     autocomplete: "current-password",
                                     "data-testid": "login-password" });

  const signup = h("form", {
    onsubmit: async (ev: Event) => {
      ev.preventDefault();
      signupError.textContent = "";
      try {
        const reply = await api.account.signup({ nickname: nickname.value,
                                                 password: signupPassword.value });
        const session = await logIn(reply.userId ?? "", signupPassword.value);
        onSignedIn(session);
      } catch (err) {
        signupError.textContent = errorText(err);
      }
    },
  },
  h("h2", {}, "Create an account"),
  h("label", {}, "Nickname", nickname),
  h("label", {}, "Password (8 characters or more)", signupPassword),
  h("button", { class: "primary", type: "submit", "data-testid": "signup-submit" }, "Sign up"),
  signupError);

  const login = h("form", {
    onsubmit: async (ev: Event) => {
      ev.preventDefault();
      loginError.textContent = "";
      try {
        onSignedIn(await logIn(userId.value.trim(), loginPassword.value));
      } catch (err) {
        loginError.textContent = errorText(err);
      }
    },
  },
  h("h2", {}, "Log in"),
  h("label", {}, "User id", userId),
  h("label", {}, "Password", loginPassword),
  h("button", { class: "primary", type: "submit", "data-testid": "login-submit" }, "Log in"),
  loginError);

  return h("div", {},
    h("div", { class: "title" }, h("h1", {}, "PRIM"),
      h("p", { class: "muted" }, "Instant messaging from the browser")),
    h("div", { class: "auth" }, h("section", {}, signup), h("section", {}, login)),
    h("p", { class: "footer muted" }, "The HTTP API: ", h("a", { href: "/docs" }, "/docs")));
}
