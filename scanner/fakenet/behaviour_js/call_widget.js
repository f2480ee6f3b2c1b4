/* Video-call widget (a Jitsi-Meet-like external_api.js on meet.jit.si) - an imitation for tests. It
 * asks for the camera and microphone, adds an audio and a video transceiver (the media a call sends),
 * opens a chat data channel, makes an offer and gathers ICE candidates to connect the call: the same
 * RTCPeerConnection calls a local-IP probe makes, but with media. A call, not a fingerprint. */
(function () {
  'use strict';
  var box = document.getElementById('call');
  var status = document.createElement('p');
  status.textContent = 'Connecting your call...';
  box.appendChild(status);
  var pc = new RTCPeerConnection({ iceServers: [] });
  pc.addTransceiver('audio', { direction: 'sendrecv' });
  pc.addTransceiver('video', { direction: 'sendrecv' });
  var chat = pc.createDataChannel('chat');
  chat.onopen = function () { status.textContent = 'Chat open'; };
  pc.onicecandidate = function (event) {
    if (!event.candidate) status.textContent = 'Waiting for the other side';
  };
  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    navigator.mediaDevices.getUserMedia({ audio: true, video: true }).then(function (stream) {
      stream.getTracks().forEach(function (track) { pc.addTrack(track, stream); });
    }, function () { status.textContent = 'Camera and microphone are blocked'; });
  }
  pc.createOffer().then(function (offer) { return pc.setLocalDescription(offer); }).catch(function () {});
})();
